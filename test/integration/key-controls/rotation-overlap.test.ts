import { OPERATOR } from "../../../src/access/access-scope.js";
import request from "supertest";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../../src/api-keys/rotate-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeWorkspace } from "../../support/fixtures.js";

let t: TestApp;
let ws: string;
beforeAll(async () => {
  t = await startTestApp();
  ws = (await makeWorkspace(t.ctx)).id;
});
afterAll(() => t.close());

const status = async (key: string) => (await request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`)).status;

describe("rotation with overlap", () => {
  test("when a key is rotated with a 1 hour overlap, then both secrets work and the view says when the previous one ends", async () => {
    const { key: old, record } = await makeKey(t.ctx, ws);
    expect(await status(old)).toBe(200); // cached before the rotation
    const before = Date.now();
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "1h" });
    expect(await status(old)).toBe(200);
    expect(await status(rotated.key)).toBe(200);
    const ends = Date.parse(rotated.apiKey.previous_secret_expires_at!);
    expect(ends - before).toBeGreaterThanOrEqual(3_600_000);
    expect(ends - Date.now()).toBeLessThanOrEqual(3_600_000);
  });

  test("when a key is rotated with overlap now, then the old secret fails on the next request (the twin of the overlap)", async () => {
    const { key: old, record } = await makeKey(t.ctx, ws);
    expect(await status(old)).toBe(200);
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "now" });
    expect(rotated.apiKey.previous_secret_expires_at).toBeNull();
    expect(await status(old)).toBe(401);
    expect(await status(rotated.key)).toBe(200);
  });

  test("when the overlap ends, then the previous secret is refused from that exact instant while the new one works", async () => {
    const { key: old, record } = await makeKey(t.ctx, ws);
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "1h" });
    // Bring the end close, as if the hour had passed, and let the cache reload it.
    const end = Date.now() + 1500;
    await t.ctx.db.apiKey.update({ where: { id: record.id }, data: { previousExpiresAt: new Date(end) } });
    t.ctx.feed.emit("api_key", record.id);
    expect(await status(old)).toBe(200);
    while (Date.now() < end - 50) {
      expect(await status(old)).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now())));
    expect(await status(old)).toBe(401);
    expect(await status(rotated.key)).toBe(200);
  });

  test("when a key is rotated again during an overlap, then the older overlap ends at once and only the two newest secrets work", async () => {
    const { key: first, record } = await makeKey(t.ctx, ws);
    const second = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "24h" });
    expect(await status(first)).toBe(200);
    const third = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "7d" });
    expect(await status(first)).toBe(401);
    expect(await status(second.key)).toBe(200);
    expect(await status(third.key)).toBe(200);
    expect(Date.parse(third.apiKey.previous_secret_expires_at!) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
  });

  test("when a key in an overlap is revoked, then both secrets stop at once", async () => {
    const { key: old, record } = await makeKey(t.ctx, ws);
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "7d" });
    expect([await status(old), await status(rotated.key)]).toEqual([200, 200]);
    const revoked = await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    expect(revoked.previous_secret_expires_at).toBeNull();
    expect([await status(old), await status(rotated.key)]).toEqual([401, 401]);
  });

  test("when a rotation is audited, then the entry names the overlap and when the previous secret ends", async () => {
    const { record } = await makeKey(t.ctx, ws);
    await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "24h" });
    const entry = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { targetId: record.id, action: "api_key.rotated" } });
    expect(JSON.parse(entry.details!)).toMatchObject({ overlap: "24h", previous_expires_at: expect.any(String), previous_prefix: record.prefix });
  });
});
