import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { createPostgresDatabase, type TestDatabase } from "../../support/database.js";
import { hasPostgresBinaries, type PostgresCluster, startPostgresCluster } from "../../support/postgres-cluster.js";
import { formOf } from "../../support/connect-flow.js";
import { makeUser } from "../../support/fixtures.js";
import { makeClient, REDIRECT_URI } from "../../support/oauth-helpers.js";

// A PostgreSQL server of the test's own, stopped mid-test: the in-process twin of test/faults/postgres-outage.
const withPostgres = hasPostgresBinaries ? describe : describe.skip;

withPostgres("the OAuth endpoints and pages while the database is down (needs /usr/lib/postgresql/15/bin)", () => {
  let cluster: PostgresCluster;
  let database: TestDatabase;
  let t: TestApp;
  let client: { id: string; secret: string | null };
  let person: { email: string; password: string };
  let signedIn: ReturnType<typeof request.agent>;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    database = await createPostgresDatabase(cluster.adminUrl);
    t = await startTestApp({ DATABASE_URL: database.url });
    client = await makeClient(t.ctx);
    person = await makeUser(t.ctx);
    signedIn = request.agent(t.app);
    const form = formOf((await signedIn.get("/login")).text);
    await signedIn.post(form.action).type("form").send({ _csrf: form.csrf, email: person.email, password: person.password }).expect(303);
  }, 120_000);

  afterAll(async () => {
    await cluster.start().catch(() => undefined);
    await t?.close();
    await database?.drop();
    await cluster?.destroy();
  });

  const token = () =>
    request(t.app)
      .post("/token")
      .auth(client.id, client.secret!)
      .type("form")
      .send({ grant_type: "authorization_code", code: "not-a-code", redirect_uri: REDIRECT_URI });

  test("when the database answers, then a bad code is invalid_grant (400), not an outage", async () => {
    const res = await token();
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_grant");
    expect(res.headers["retry-after"]).toBeUndefined();
  });

  describe("with PostgreSQL stopped", () => {
    beforeAll(() => cluster.stop());
    afterAll(() => cluster.start());

    test("when an app calls the token endpoint, then 503 temporarily_unavailable with Retry-After (RFC 6749 error form)", async () => {
      const res = await token();
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(res.headers["cache-control"]).toMatch(/no-store/);
      expect(res.body).toEqual({ error: "temporarily_unavailable", error_description: expect.any(String) });
    });

    test("when an app calls introspection or revocation, then the same 503 answer", async () => {
      for (const path of ["/token/introspection", "/token/revocation"]) {
        const res = await request(t.app).post(path).auth(client.id, client.secret!).type("form").send({ token: "x".repeat(43) });
        expect(res.status).toBe(503);
        expect(res.body.error).toBe("temporarily_unavailable");
        expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      }
    });

    test("when a person opens the authorization endpoint, then a 503 page says the service is temporarily unavailable", async () => {
      const res = await request(t.app)
        .get("/auth")
        .query({ client_id: client.id, response_type: "code", scope: "openid", redirect_uri: REDIRECT_URI, code_challenge: "x".repeat(43), code_challenge_method: "S256" })
        .set("Accept", "text/html");
      expect(res.status).toBe(503);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(res.text).toContain("Temporarily unavailable");
    });

    test("when a signed-in person opens Settings, or someone signs in, then a 503 page rather than a 500", async () => {
      const settings = await signedIn.get("/settings/api-keys").set("Accept", "text/html");
      expect(settings.status).toBe(503);
      expect(settings.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(settings.text).toContain("Temporarily unavailable");
      const login = await request.agent(t.app).get("/login");
      const form = formOf(login.text);
      const attempt = await request(t.app)
        .post(form.action)
        .set("Cookie", login.headers["set-cookie"] ?? [])
        .set("Accept", "text/html")
        .type("form")
        .send({ _csrf: form.csrf, email: person.email, password: person.password });
      expect(attempt.status).toBe(503);
      expect(attempt.text).toContain("Temporarily unavailable");
    });
  });
});
