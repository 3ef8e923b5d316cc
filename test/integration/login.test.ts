import { startTestApp, type TestApp } from "../support/app.js";
import { makeUser } from "../support/fixtures.js";
import { agent, csrfFrom } from "../support/forms.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_FAILURES_PER_15_MINUTES: "3" });
});
afterAll(() => t.close());

describe("signing in to our pages", () => {
  test("when the password is right, then a session cookie is set and the user is sent on", async () => {
    const user = await makeUser(t.ctx);
    const a = agent(t.app);
    const page = await a.get("/login?return_to=/settings/api-keys").expect(200);
    expect(page.text).toContain('<label for="email">Email</label>');
    const res = await a
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), email: user.email.toUpperCase(), password: user.password, return_to: "/settings/api-keys" })
      .expect(303);
    expect(res.headers.location).toBe("/settings/api-keys");
    expect(String(res.headers["set-cookie"])).toMatch(/wa_session=[^;]+; Path=\/;.*HttpOnly/);
  });

  test("when the email is unknown or the password wrong, then the same message is shown", async () => {
    const user = await makeUser(t.ctx);
    const a = agent(t.app);
    const token = csrfFrom((await a.get("/login").expect(200)).text);
    const wrong = await a.post("/login").type("form").send({ _csrf: token, email: user.email, password: "nope-nope" }).expect(401);
    const unknown = await a.post("/login").type("form").send({ _csrf: token, email: "ghost@example.test", password: "nope-nope" }).expect(401);
    expect(wrong.text).toContain("Incorrect email or password.");
    expect(unknown.text).toContain("Incorrect email or password.");
  });

  test("when an account keeps failing, then further attempts are refused with 429 even with the right password", async () => {
    const user = await makeUser(t.ctx);
    const a = agent(t.app);
    const token = csrfFrom((await a.get("/login").expect(200)).text);
    for (let i = 0; i < 3; i++) {
      await a.post("/login").type("form").send({ _csrf: token, email: user.email, password: "wrong-password" }).expect(401);
    }
    const res = await a.post("/login").type("form").send({ _csrf: token, email: user.email, password: user.password }).expect(429);
    expect(res.headers["retry-after"]).toMatch(/^\d+$/);
  });

  test("when the form is posted without its CSRF token, then it is refused", async () => {
    const user = await makeUser(t.ctx);
    const a = agent(t.app);
    await a.get("/login").expect(200);
    const res = await a.post("/login").type("form").send({ email: user.email, password: user.password }).expect(403);
    expect(res.headers["set-cookie"] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^wa_session=/)]));
  });

  test("when return_to points off-site, then sign-in goes to Settings instead", async () => {
    const user = await makeUser(t.ctx);
    const a = agent(t.app);
    const page = await a.get("/login").expect(200);
    const res = await a
      .post("/login")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password, return_to: "//evil.example/x" })
      .expect(303);
    expect(res.headers.location).toBe("/settings");
  });

  test("when the login page is served, then it cannot be framed or cached", async () => {
    const res = await agent(t.app).get("/login").expect(200);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
  });
});
