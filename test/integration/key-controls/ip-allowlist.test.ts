import { OPERATOR, workspaceScope } from "../../../src/access/access-scope.js";
import request from "supertest";
import { listApiKeys } from "../../../src/api-keys/list-api-keys.js";
import { updateApiKey } from "../../../src/api-keys/update-api-key.js";
import { createApiKey } from "../../../src/api-keys/create-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeWorkspace } from "../../support/fixtures.js";

async function keyWith(t: TestApp, workspaceId: string, ipAllowlist: string[]) {
  const made = await createApiKey(t.ctx.apiKeys, { workspaceId, name: `allow ${ipAllowlist.join(",")}`, access: "read_only", ipAllowlist, actor: CLI });
  return { key: made.key!, id: made.apiKey.id };
}

function call(t: TestApp, key: string, forwardedFor?: string) {
  const req = request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`).set("User-Agent", "allowlist-test/1.0");
  return forwardedFor === undefined ? req : req.set("X-Forwarded-For", forwardedFor);
}

function expectRefused(res: request.Response) {
  expect(res.status).toBe(403);
  expect(res.body.error).toMatchObject({ type: "permission_error", code: "ip_not_allowed" });
}

describe("IP allowlist behind one proxy (TRUST_PROXY=1)", () => {
  let t: TestApp;
  let ws: string;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: "1", AUTH_FAILURES_PER_MINUTE: "3" });
    ws = (await makeWorkspace(t.ctx)).id;
  });
  afterAll(() => t.close());

  test("when the proxy's address for the client is inside an IPv4 range, then the key works; just outside, 403 ip_not_allowed", async () => {
    const { key } = await keyWith(t, ws, ["198.51.100.0/24"]);
    await call(t, key, "198.51.100.0").expect(200);
    await call(t, key, "198.51.100.255").expect(200);
    expectRefused(await call(t, key, "198.51.101.1"));
  });

  test("when a client writes an allowed address into X-Forwarded-For itself, then the spoofed entry never counts", async () => {
    const { key } = await keyWith(t, ws, ["198.51.100.0/24"]);
    // The proxy appends the address it saw; only that right-most entry is the client's.
    expectRefused(await call(t, key, "198.51.100.7, 203.0.113.9"));
    await call(t, key, "203.0.113.9, 198.51.100.7").expect(200);
  });

  test("when the client is IPv6 or IPv4-mapped IPv6, then exact addresses and ranges match as the same address", async () => {
    const { key } = await keyWith(t, ws, ["2001:db8::/32", "192.0.2.7"]);
    await call(t, key, "2001:db8:1::42").expect(200);
    await call(t, key, "::ffff:192.0.2.7").expect(200);
    expectRefused(await call(t, key, "2001:db9::1"));
    expectRefused(await call(t, key, "::ffff:192.0.2.8"));
  });

  test("when a valid key is used from a refused address, then it counts as a failure: past the limit that address gets 429", async () => {
    const { key } = await keyWith(t, ws, ["192.0.2.1"]);
    for (let i = 0; i < 3; i++) expectRefused(await call(t, key, "203.0.113.50"));
    expect((await call(t, key, "203.0.113.50")).status).toBe(429);
    // The allowed address is not held back by another address's failures.
    await call(t, key, "192.0.2.1").expect(200);
  });

  test("when the allowlist is edited, then the next request is checked against the new list; emptying it allows any address", async () => {
    const { key, id } = await keyWith(t, ws, ["192.0.2.10"]);
    await call(t, key, "192.0.2.10").expect(200);
    await updateApiKey(t.ctx.apiKeys, { id, scope: OPERATOR, actor: CLI }, { ipAllowlist: ["192.0.2.11"] });
    expectRefused(await call(t, key, "192.0.2.10"));
    await call(t, key, "192.0.2.11").expect(200);
    await updateApiKey(t.ctx.apiKeys, { id, scope: OPERATOR, actor: CLI }, { ipAllowlist: [] });
    await call(t, key, "203.0.113.200").expect(200);
  });

  test("when a key is used, then its last use records the client address (as the proxy saw it) and the user agent", async () => {
    const { key, id } = await keyWith(t, ws, []);
    await call(t, key, "10.9.9.9, ::ffff:203.0.113.77").expect(200);
    let view;
    for (let i = 0; i < 50 && !view?.last_used_at; i++) {
      await new Promise((r) => setTimeout(r, 20));
      view = (await listApiKeys(t.ctx.db, { scope: workspaceScope([ws]) })).find((k) => k.id === id);
    }
    expect(view).toMatchObject({ last_used_ip: "203.0.113.77", last_used_user_agent: "allowlist-test/1.0" });
    expect(view?.last_used_at).toEqual(expect.any(String));
  });
});

describe("IP allowlist without a proxy (TRUST_PROXY=0)", () => {
  let t: TestApp;
  let ws: string;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: "0" });
    ws = (await makeWorkspace(t.ctx)).id;
  });
  afterAll(() => t.close());

  test("when X-Forwarded-For names an allowed address, then it is ignored: the connection's own address decides", async () => {
    const { key } = await keyWith(t, ws, ["198.51.100.0/24"]);
    expectRefused(await call(t, key, "198.51.100.7"));
    const loopback = await keyWith(t, ws, ["127.0.0.1"]);
    // The test connection comes from 127.0.0.1 (reported as ::ffff:127.0.0.1 on a dual-stack socket).
    await call(t, loopback.key, "198.51.100.7").expect(200);
  });
});
