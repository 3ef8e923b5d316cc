import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { api, expectError } from "../../support/resource-helpers.js";
import { makeWorld, signedIn } from "../../support/world.js";

let t: TestApp;
let key: string;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  key = (await makeKey(t.ctx, w.ws.id, "read_write")).key;
});
afterAll(() => t.close());

/** `JSON.stringify` keeps a lone surrogate as the escape `\ud800`, which is valid JSON. */
const LONE = "\ud800";

async function adminApi() {
  const a = await signedIn(t, w.admin);
  const token = (await a.get("/api/csrf-token").expect(200)).body.token as string;
  return { a, token };
}

describe("lone UTF-16 surrogates are refused at the edge, for every schema", () => {
  test.each([
    ["POST /v1/subscribers email", "post", "/v1/subscribers", { email: `a${LONE}@example.test` }],
    ["POST /v1/subscribers first_name", "post", "/v1/subscribers", { email: "s1@example.test", first_name: `x${LONE}` }],
    ["POST /v1/subscribers a tag", "post", "/v1/subscribers", { email: "s2@example.test", tags: ["ok", `\udc00tail`] }],
    ["POST /v1/subscribers a field name", "post", "/v1/subscribers", { email: "s3@example.test", [`k${LONE}`]: 1 }],
    ["POST /v1/tags name", "post", "/v1/tags", { name: `t${LONE}` }],
  ] as const)("when %s holds a lone surrogate, then 422 validation_failed and nothing is stored", async (_label, method, path, body) => {
    const before = (await t.ctx.db.subscriber.count()) + (await t.ctx.db.tag.count());
    const res = await api(t, key).raw(method, path, JSON.stringify(body));
    expectError(res, 422, "invalid_request_error", "validation_failed");
    expect(res.body.error.message).toMatch(/well-formed Unicode/);
    expect((await t.ctx.db.subscriber.count()) + (await t.ctx.db.tag.count())).toBe(before);
  });

  test("when a PATCH or a query string carries a lone surrogate, then 422 validation_failed", async () => {
    const created = await api(t, key).post("/v1/subscribers", { email: "patched@example.test" }).expect(201);
    const patch = await api(t, key).raw("patch", `/v1/subscribers/${created.body.data.id}`, JSON.stringify({ last_name: LONE }));
    expectError(patch, 422, "invalid_request_error", "validation_failed");
    const query = await api(t, key).get("/v1/subscribers").query({ email: `q${LONE}` });
    expectError(query, 422, "invalid_request_error", "validation_failed");
  });

  test("when an /api body holds a lone surrogate, then 422 validation_failed and no key is created", async () => {
    const c = await adminApi();
    const before = await t.ctx.db.apiKey.count();
    const res = await c.a
      .post("/api/api-keys")
      .set("x-csrf-token", c.token)
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ workspace_id: w.ws.id, name: `k${LONE}`, access: "read_only" }));
    expectError(res, 422, "invalid_request_error", "validation_failed");
    expect(await t.ctx.db.apiKey.count()).toBe(before);
  });

  test("when text holds well-formed astral characters (a surrogate pair), then it is accepted and stored as sent", async () => {
    const res = await api(t, key).post("/v1/subscribers", { email: "emoji@example.test", first_name: "Ana 😀𝄞" }).expect(201);
    expect(res.body.data.first_name).toBe("Ana 😀𝄞");
    const c = await adminApi();
    await c.a.post("/api/api-keys").set("x-csrf-token", c.token).send({ workspace_id: w.ws.id, name: "key 😀", access: "read_only" }).expect(201);
  });
});

describe("malformed percent-encoding in a path is a 404 in the area's form, never a 500", () => {
  test.each(["/v1/subscribers/%FF", "/v1/subscribers/%E0%A4%A", "/v1/tags/%C3%28", "/v1/subscribers/%ED%A0%80"])(
    "when /v1 gets %s, then a 404 JSON envelope",
    async (path) => {
      for (const method of ["get", "patch", "delete"] as const) {
        if (path.startsWith("/v1/tags") && method !== "delete") continue;
        const res = await request(t.app)[method](path).set("Authorization", `Bearer ${key}`);
        expectError(res, 404, "invalid_request_error", "not_found");
      }
    },
  );

  test("when /api gets a malformed id, then a 404 JSON envelope", async () => {
    const c = await adminApi();
    for (const path of ["/api/api-keys/%FF/revoke", "/api/api-keys/%FF/rotate", "/api/authorized-apps/%FF/revoke"]) {
      expectError(await c.a.post(path).set("x-csrf-token", c.token).send({}), 404, "invalid_request_error", "not_found");
    }
  });

  test("when Settings pages get a malformed id, then a 404 HTML page", async () => {
    const a = await signedIn(t, w.admin);
    for (const path of ["/settings/api-keys/%FF/revoke", "/settings/authorized-apps/%FF/revoke"]) {
      const res = await a.get(path).set("Accept", "text/html");
      expect(res.status).toBe(404);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
    }
  });

  test("when /interaction gets a malformed id without any session, then a 404 page, and a JSON client gets the envelope", async () => {
    const page = await request(t.app).get("/interaction/%FF").set("Accept", "text/html");
    expect(page.status).toBe(404);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const json = await request(t.app).get("/interaction/%FF").set("Accept", "application/json");
    expectError(json, 404, "invalid_request_error", "not_found");
  });

  test("when the same ids are well-formed but unknown, then the same 404 (denied twin of the decode failure)", async () => {
    expectError(await request(t.app).get("/v1/subscribers/%C3%A9").set("Authorization", `Bearer ${key}`), 404, "invalid_request_error", "not_found");
    expect(t.logs.text).not.toMatch(/unhandled error/);
  });
});
