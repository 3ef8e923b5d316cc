import { jest } from "@jest/globals";
import { CLI } from "../../../src/audit/audit-log.js";
import { createClient } from "../../../src/oauth/clients/create-client.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorizationRequest, authorize, connect, discover } from "../../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { agent, csrfFrom, signIn } from "../../support/forms.js";

jest.setTimeout(120_000);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

type User = Awaited<ReturnType<typeof makeUser>>;

/** How many sessions the OAuth provider keeps for the account. */
const providerSessions = (user: User) =>
  t.ctx.db.oidcModel.count({ where: { type: "Session", payload: { contains: `"accountId":"${user.id}"` } } });

/** The user signed in to our pages in one browser and, through an app's connect flow, to the provider in another. */
async function signedInEverywhere(user: User) {
  const ws = await makeWorkspace(t.ctx, undefined, [{ userId: user.id, role: "owner" }]);
  const issued = await createClient(t.ctx.db, { name: "Account app", redirectUris: ["http://127.0.0.1:9/callback"], actor: CLI });
  const client = { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: "http://127.0.0.1:9/callback" };
  const connection = await connect({ issuer: t.url, client, user, workspaceId: ws.id, scope: "subscribers:read" });
  const here = await signIn(agent(t.app), user.email, user.password);
  const elsewhere = await signIn(agent(t.app), user.email, user.password);
  expect(await providerSessions(user)).toBeGreaterThan(0);
  return { here, elsewhere, connection, client };
}

describe("My account", () => {
  test("when the password is changed with the current one, then every other session ends, the provider's too, and this one stays", async () => {
    const user = await makeUser(t.ctx);
    const { here, elsewhere, connection, client } = await signedInEverywhere(user);
    const page = await here.get("/settings/account").expect(200);
    expect(page.text).toContain("This session");
    expect(page.text.match(/<tr>/g)?.length).toBe(4); // header + three sessions (two here, one from the connect flow)

    // Denied twins: a wrong current password, a mismatched confirmation, a missing CSRF token.
    const wrong = await here
      .post("/settings/account/password")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), current_password: "not it at all", new_password: "a brand new one", confirm_password: "a brand new one" })
      .expect(422);
    expect(wrong.text).toContain("Your current password is not correct.");
    await here.post("/settings/account/password").type("form").send({ _csrf: csrfFrom(page.text), current_password: user.password, new_password: "a brand new one", confirm_password: "another one" }).expect(422);
    await here.post("/settings/account/password").type("form").send({ current_password: user.password, new_password: "a brand new one", confirm_password: "a brand new one" }).expect(403);
    await elsewhere.get("/settings/account").expect(200);

    await here
      .post("/settings/account/password")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), current_password: user.password, new_password: "a brand new one", confirm_password: "a brand new one" })
      .expect(303)
      .expect("location", "/settings/account?notice=password_changed");
    await here.get("/settings/account").expect(200);
    expect((await elsewhere.get("/settings/account").expect(303)).headers.location).toMatch(/^\/login/);
    expect(await providerSessions(user)).toBe(0);
    // The app's sign-in page asks the person to sign in again in the browser that had connected it.
    const config = await discover(t.url, client);
    const again = await authorize(connection.browser, (await authorizationRequest(config, client, { scope: "subscribers:read" })).url, client.redirectUri);
    expect(again.kind === "page" && again.html.includes('name="password"')).toBe(true);
    // The new password signs in; the old one does not.
    await signIn(agent(t.app), user.email, "a brand new one");
    const stranger = agent(t.app);
    const login = await stranger.get("/login");
    await stranger.post("/login").type("form").send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password }).expect(401);
  });

  test("when 'sign out everywhere else' is used, then only this session remains, through the page and /api", async () => {
    const user = await makeUser(t.ctx);
    const { here, elsewhere } = await signedInEverywhere(user);
    const token = (await here.get("/api/csrf-token").expect(200)).body.token as string;
    // supertest sends no User-Agent, so none is shown.
    const listed = await here.get("/api/account/sessions").expect(200);
    expect(listed.body.data).toHaveLength(3);
    expect(listed.body.data[0]).toEqual({ handle: expect.any(String), current: true, signed_in_at: expect.any(String), expires_at: expect.any(String), user_agent: null });
    const res = await here.post("/api/account/sessions/sign-out-others").set("x-csrf-token", token).send({}).expect(200);
    expect(res.body.data).toEqual({ signed_out_sessions: 2 });
    await elsewhere.get("/api/account/sessions").expect(401);
    expect(await providerSessions(user)).toBe(0);
    expect((await here.get("/api/account/sessions").expect(200)).body.data).toHaveLength(1);

    const page = await here.get("/settings/account").expect(200);
    await here.post("/settings/account/sessions/sign-out-others").type("form").send({ _csrf: csrfFrom(page.text) }).expect(303);
  });

  test("when the password is changed through /api, then a wrong current password is a 422 and a short new one too", async () => {
    const user = await makeUser(t.ctx);
    const a = await signIn(agent(t.app), user.email, user.password);
    const token = (await a.get("/api/csrf-token").expect(200)).body.token as string;
    const wrong = await a.post("/api/account/password").set("x-csrf-token", token).send({ current_password: "nope nope", new_password: "long enough pw" }).expect(422);
    expect(wrong.body.error).toMatchObject({ code: "validation_failed", message: "Your current password is not correct." });
    await a.post("/api/account/password").set("x-csrf-token", token).send({ current_password: user.password, new_password: "short" }).expect(422);
    await a.post("/api/account/password").set("x-csrf-token", token).send({ current_password: user.password, new_password: "long enough pw", extra: 1 }).expect(422);
    const ok = await a.post("/api/account/password").set("x-csrf-token", token).send({ current_password: user.password, new_password: "long enough pw" }).expect(200);
    expect(ok.body.data).toEqual({ signed_out_sessions: 0 });
    const audit = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "user.password_changed", actorId: user.id } });
    expect(audit.details).not.toContain("long enough pw");
  });
});
