import request from "supertest";
import { generateKey } from "../../src/api-keys/key-format.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeKey, makeWorkspace } from "../support/fixtures.js";
import { withLastCharChanged } from "../support/tamper.js";

let t: TestApp;
let key: string;
let workspace: { id: string; name: string };

beforeAll(async () => {
  t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "1000" });
  workspace = await makeWorkspace(t.ctx, "Acme Mail");
  key = (await makeKey(t.ctx, workspace.id, "read_only")).key;
});
afterAll(() => t.close());

const get = (auth?: string) => {
  const r = request(t.app).get("/v1/workspace");
  return auth === undefined ? r : r.set("Authorization", auth);
};

function expectEnvelope(res: request.Response, status: number, type: string, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/application\/json/);
  expect(res.body).toEqual({ error: { type, code, message: expect.any(String) } });
}

describe("the Bearer credential on /v1", () => {
  test("when a valid key is sent, then GET /v1/workspace names the key's workspace", async () => {
    const res = await get(`Bearer ${key}`).expect(200);
    expect(res.body).toEqual({ data: { id: workspace.id, name: "Acme Mail" } });
  });

  test("when the scheme is written in another case or followed by several spaces, then the key still works", async () => {
    await get(`bearer ${key}`).expect(200);
    await get(`BEARER    ${key}`).expect(200);
  });

  test("when no Authorization header is sent, then 401 missing_credentials with a bare Bearer challenge", async () => {
    const res = await get();
    expectEnvelope(res, 401, "authentication_error", "missing_credentials");
    expect(res.headers["www-authenticate"]).toBe(
      `Bearer realm="workspace-auth", resource_metadata="${t.config.issuer}/.well-known/oauth-protected-resource/v1"`,
    );
  });

  test("when another scheme or a bare token is sent, then 401 missing_credentials", async () => {
    expectEnvelope(await get(`Basic ${Buffer.from("a:b").toString("base64")}`), 401, "authentication_error", "missing_credentials");
    expectEnvelope(await get(key), 401, "authentication_error", "missing_credentials");
  });

  const invalidKeyCases: [string, () => string][] = [
    ["a tab instead of a space", () => `Bearer\t${key}`],
    ["two credentials", () => `Bearer ${key} ${key}`],
    ["a key one character short", () => `Bearer ${key.slice(0, -1)}`],
    ["a key one character long", () => `Bearer ${key}x`],
    ["a wrong checksum", () => `Bearer ${withLastCharChanged(key)}`],
  ];
  test.each(invalidKeyCases)("when the header has %s, then 401 invalid_api_key with error=invalid_token", async (_name, header) => {
    const res = await get(header());
    expectEnvelope(res, 401, "authentication_error", "invalid_api_key");
    expect(res.headers["www-authenticate"]).toBe(
      `Bearer realm="workspace-auth", error="invalid_token", resource_metadata="${t.config.issuer}/.well-known/oauth-protected-resource/v1"`,
    );
  });

  const invalidTokenCases: [string, () => string][] = [
    ["Bearer with no token", () => "Bearer"],
    ["Bearer and a space with no token", () => "Bearer "],
    ["an upper-case MRK_ prefix", () => `Bearer ${key.replace("mrk_", "MRK_")}`],
    ["an 8 kB token", () => `Bearer ${"a".repeat(8192)}`],
    ["a non-ASCII token", () => "Bearer t\u00f6ken"],
    ["an unknown opaque token", () => "Bearer abc.def-ghi"],
  ];
  test.each(invalidTokenCases)("when the header has %s, then 401 invalid_access_token", async (_name, header) => {
    const res = await get(header());
    expectEnvelope(res, 401, "authentication_error", "invalid_access_token");
  });

  test("when the header carries a NUL byte, then the request is refused with a 4xx, never a 5xx", async () => {
    // HTTP clients refuse to send NUL in a header; the raw bytes still reach the server over a socket.
    const { listen } = await import("../support/app.js");
    const net = await import("node:net");
    const server = await listen(t.app);
    const port = new URL(server.url).port;
    const raw = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write(`GET /v1/workspace HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\u0000x\r\nConnection: close\r\n\r\n`);
      });
      let data = "";
      socket.on("data", (d) => (data += d.toString()));
      socket.on("close", () => resolve(data));
    });
    await server.close();
    expect(raw).toMatch(/^HTTP\/1\.1 4\d\d/);
  });

  test("when a key is sent in the query string or body, then 400 credentials_in_query and it does not authenticate", async () => {
    const q = await request(t.app).get(`/v1/workspace?api_key=${key}`).set("Authorization", `Bearer ${key}`);
    expectEnvelope(q, 400, "invalid_request_error", "credentials_in_query");
    const anyValue = await request(t.app).get(`/v1/workspace?x=${key}`);
    expectEnvelope(anyValue, 400, "invalid_request_error", "credentials_in_query");
    for (const field of ["access_token", "token", "key"]) {
      const res = await request(t.app).get(`/v1/workspace?${field}=whatever`);
      expectEnvelope(res, 400, "invalid_request_error", "credentials_in_query");
    }
    const body = await request(t.app).post("/v1/tags").set("Authorization", `Bearer ${key}`).send({ name: "x", token: "abc" });
    expectEnvelope(body, 400, "invalid_request_error", "credentials_in_query");
  });

  test("when workspace_id is sent in the query or body, then 400 workspace_id_not_allowed", async () => {
    const q = await get(`Bearer ${key}`).query({ workspace_id: workspace.id });
    expectEnvelope(q, 400, "invalid_request_error", "workspace_id_not_allowed");
    const b = await request(t.app).post("/v1/tags").set("Authorization", `Bearer ${key}`).send({ name: "x", workspace_id: workspace.id });
    expectEnvelope(b, 400, "invalid_request_error", "workspace_id_not_allowed");
  });

  test("when the route does not exist, then 404 not_found in the envelope", async () => {
    expectEnvelope(await request(t.app).get("/v1/nope").set("Authorization", `Bearer ${key}`), 404, "invalid_request_error", "not_found");
  });

  test("when any /v1 response is sent, then helmet's security headers are on it", async () => {
    const res = await get();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["strict-transport-security"]).toBeDefined();
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });
});

describe("rate limits on /v1", () => {
  test("when a credential exceeds its per-minute budget, then 429 rate_limited with RateLimit and Retry-After headers", async () => {
    const app = await startTestApp({ RATE_LIMIT_PER_MINUTE: "3" });
    const ws = await makeWorkspace(app.ctx);
    const { key: k } = await makeKey(app.ctx, ws.id);
    const other = (await makeKey(app.ctx, ws.id)).key;
    for (let i = 0; i < 3; i++) {
      const ok = await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${k}`).expect(200);
      expect(ok.headers["ratelimit-limit"]).toBe("3");
      expect(ok.headers["ratelimit-remaining"]).toBe(String(2 - i));
    }
    const limited = await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${k}`);
    expectEnvelope(limited, 429, "rate_limit_error", "rate_limited");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another key has its own budget.
    await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${other}`).expect(200);
    await app.close();
  });

  test("when RATE_LIMIT_DISABLED=1, then the same traffic is never limited", async () => {
    const app = await startTestApp({ RATE_LIMIT_PER_MINUTE: "3", RATE_LIMIT_DISABLED: "1" });
    const ws = await makeWorkspace(app.ctx);
    const { key: k } = await makeKey(app.ctx, ws.id);
    for (let i = 0; i < 6; i++) await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${k}`).expect(200);
    await app.close();
  });

  test("when one address is over the failure limit, then its failures get 429 but a valid key from it is still served", async () => {
    const app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "5", RATE_LIMIT_PER_MINUTE: "3" });
    const ws = await makeWorkspace(app.ctx);
    const { key: good } = await makeKey(app.ctx, ws.id);
    for (let i = 0; i < 5; i++) {
      await request(app.app).get("/v1/workspace").set("Authorization", "Bearer nonsense").expect(401);
    }
    // Denied: every further failing attempt from the address, whatever its kind.
    for (const bad of ["nonsense", `mrk_${"A".repeat(46)}`, ""]) {
      const refused = await request(app.app).get("/v1/workspace").set("Authorization", bad ? `Bearer ${bad}` : "Basic x");
      expectEnvelope(refused, 429, "rate_limit_error", "rate_limited");
      expect(refused.headers["retry-after"]).toEqual(expect.any(String));
    }
    // Allowed: the valid key, which counts against its own per-credential limit only.
    for (let i = 0; i < 3; i++) await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${good}`).expect(200);
    expectEnvelope(await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${good}`), 429, "rate_limit_error", "rate_limited");
    await app.close();
  });

  test("when a blocked address repeats an unknown well-formed key, then only its first try reaches the database", async () => {
    const app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "2" });
    const unknown = generateKey();
    const misses = async () =>
      (await app.ctx.metrics.credentialCache.get()).values.find((v) => v.labels.kind === "api_key" && v.labels.result === "miss")?.value ?? 0;
    for (let i = 0; i < 6; i++) await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${unknown}`);
    // One miss (the database lookup, cached as a negative entry), then five cache hits while refused with 429.
    expect(await misses()).toBe(1);
    expectEnvelope(await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${unknown}`), 429, "rate_limit_error", "rate_limited");
    await app.close();
  });

  test("when keys with a wrong checksum follow their valid twins, then each is refused 401 without a cache lookup or a database read", async () => {
    const app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "1000" });
    const ws = await makeWorkspace(app.ctx);
    const lookups = async () => (await app.ctx.metrics.credentialCache.get()).values.reduce((sum, v) => sum + v.value, 0);
    for (let i = 0; i < 3; i++) {
      const { key: good } = await makeKey(app.ctx, ws.id);
      await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${good}`).expect(200);
      const before = await lookups();
      const mistyped = withLastCharChanged(good);
      expectEnvelope(await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${mistyped}`), 401, "authentication_error", "invalid_api_key");
      expect(await lookups()).toBe(before);
      // And the valid twin, cached, still works.
      await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${good}`).expect(200);
    }
    await app.close();
  });

  test("when an address stays under the failure limit, then its failures are plain 401s", async () => {
    const app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "5" });
    for (let i = 0; i < 5; i++) {
      expectEnvelope(await request(app.app).get("/v1/workspace").set("Authorization", "Bearer nonsense"), 401, "authentication_error", "invalid_access_token");
    }
    await app.close();
  });

  test("when an address sends only good credentials, then the failure brake never triggers", async () => {
    const app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: "5" });
    const ws = await makeWorkspace(app.ctx);
    const { key: good } = await makeKey(app.ctx, ws.id);
    for (let i = 0; i < 8; i++) await request(app.app).get("/v1/workspace").set("Authorization", `Bearer ${good}`).expect(200);
    await app.close();
  });
});

describe("NUL characters, which no database column can hold", () => {
  test("when an id in the path carries an encoded NUL, then 404 not_found, never a 5xx", async () => {
    const res = await request(t.app).get("/v1/subscribers/abc%00def").set("Authorization", `Bearer ${key}`);
    expectEnvelope(res, 404, "invalid_request_error", "not_found");
  });

  test("when a query value or body string carries a NUL, then 422 validation_failed", async () => {
    const q = await request(t.app).get("/v1/subscribers?cursor=a%00b").set("Authorization", `Bearer ${key}`);
    expectEnvelope(q, 422, "invalid_request_error", "validation_failed");
    const b = await request(t.app).post("/v1/tags").set("Authorization", `Bearer ${key}`).send({ name: "a\u0000b" });
    expectEnvelope(b, 422, "invalid_request_error", "validation_failed");
  });
});

describe("the /v1 request log line", () => {
  /** The one completed-request line of the request with this id. */
  const lineOf = (requestId: string) => {
    const lines = t.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.request_id === requestId && l.res !== undefined);
    if (!line) throw new Error(`no log line for ${requestId}`);
    return line;
  };

  test("when a key is used, then the line names the credential kind, the key id and the workspace, never the secret", async () => {
    const { key: secret, record } = await makeKey(t.ctx, workspace.id);
    const res = await get(`Bearer ${secret}`).set("x-request-id", "log-key-1").expect(200);
    expect(res.headers["x-request-id"]).toBe("log-key-1");
    const line = lineOf("log-key-1");
    expect(line).toMatchObject({ credential_kind: "api_key", credential_id: record.id, workspace_id: workspace.id });
    expect(JSON.stringify(line)).not.toContain(secret);
    expect(t.logs.text).not.toContain(secret);
  });

  test("when the credential is refused, then the line names no credential or workspace", async () => {
    await get("Bearer nonsense").set("x-request-id", "log-bad-1").expect(401);
    const line = lineOf("log-bad-1");
    expect(line).not.toHaveProperty("credential_id");
    expect(line).not.toHaveProperty("workspace_id");
  });
});
