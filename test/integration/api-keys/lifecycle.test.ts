import { jest } from "@jest/globals";
import request from "supertest";
import { CLI } from "../../../src/audit/audit-log.js";
import { buildContext } from "../../../src/context.js";
import { createLogger } from "../../../src/logger.js";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../../src/api-keys/rotate-api-key.js";
import { listApiKeys } from "../../../src/api-keys/list-api-keys.js";
import { ApiKeyVerifier } from "../../../src/credentials/api-key-verifier.js";
import type { Db } from "../../../src/db/client.js";
import { adapterUnder } from "../../../src/db/read-rows.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";
import { OPERATOR, workspaceScope } from "../../../src/access/access-scope.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const call = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

/** Counts the last-used writes of keys (UPDATE "ApiKey" SET "lastUsedAt" …) the driver adapter under `db` runs. */
function lastUsedWrites(db: Db): { count: () => number; restore: () => void } {
  const adapter = adapterUnder(db);
  if (!adapter) throw new Error("the test app's client has no driver adapter connected");
  const spy = jest.spyOn(adapter, "executeRaw");
  return {
    count: () => spy.mock.calls.filter(([query]) => /^UPDATE "ApiKey" SET "lastUsedAt"/.test(query.sql)).length,
    restore: () => spy.mockRestore(),
  };
}

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < withinMs) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`condition not met within ${withinMs} ms`);
}

describe("workspace API keys", () => {
  test("when a key is rotated, then the old secret fails on the very next request and the new one works", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    await call(key).expect(200);
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    expect(rotated.key).not.toBe(key);
    expect(rotated.apiKey.id).toBe(record.id);
    expect(rotated.apiKey.rotated_at).not.toBeNull();
    const res = await call(key).expect(401);
    expect(res.body.error.code).toBe("invalid_api_key");
    await call(rotated.key).expect(200);
  });

  test("when a key is revoked, then it fails on the very next request, and revoking again succeeds", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    await call(key).expect(200);
    const revoked = await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    expect(revoked.status).toBe("revoked");
    expect((await call(key).expect(401)).body.error.code).toBe("invalid_api_key");
    await expect(revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI })).resolves.toMatchObject({ status: "revoked" });
  });

  test("when a revoked key is rotated, then key_not_active and it stays dead", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    await expect(rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI })).rejects.toMatchObject({ code: "key_not_active", status: 409 });
    await call(key).expect(401);
  });

  test("when a key passes its expiry, then it fails, shows as expired, cannot be rotated, and the expiry is audited once", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id, "read_only", new Date(Date.now() + 1500));
    await call(key).expect(200);
    await new Promise((r) => setTimeout(r, 1600));
    const results = await Promise.all(Array.from({ length: 5 }, () => call(key)));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const [listed] = await listApiKeys(t.ctx.db, { scope: workspaceScope([ws.id]) });
    expect(listed.status).toBe("expired");
    await expect(rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI })).rejects.toMatchObject({ code: "key_not_active" });
    const audits = await t.ctx.db.auditEvent.count({ where: { targetId: record.id, action: "api_key.expired" } });
    expect(audits).toBe(1);
  });

  test("when a key of workspace A is used, then it only ever sees workspace A", async () => {
    const a = await makeWorkspace(t.ctx, "A");
    const b = await makeWorkspace(t.ctx, "B");
    const keyA = (await makeKey(t.ctx, a.id)).key;
    const keyB = (await makeKey(t.ctx, b.id)).key;
    expect((await call(keyA).expect(200)).body.data.id).toBe(a.id);
    expect((await call(keyB).expect(200)).body.data.id).toBe(b.id);
  });

  test("when another process revokes or rotates a key, then this server refuses the old secret within 1 second", async () => {
    const other = await buildContext(t.config, { logger: createLogger("silent") });
    try {
      const ws = await makeWorkspace(t.ctx);
      const revokedKey = await makeKey(t.ctx, ws.id);
      const rotatedKey = await makeKey(t.ctx, ws.id);
      await call(revokedKey.key).expect(200);
      await call(rotatedKey.key).expect(200);
      await revokeApiKey(other.apiKeys, { id: revokedKey.record.id, scope: OPERATOR, actor: CLI });
      await rotateApiKey(other.apiKeys, { id: rotatedKey.record.id, scope: OPERATOR, actor: CLI });
      const revokeMs = await eventually(async () => (await call(revokedKey.key)).status === 401, 1000);
      const rotateMs = await eventually(async () => (await call(rotatedKey.key)).status === 401, 1000);
      expect(revokeMs).toBeLessThan(1000);
      expect(rotateMs).toBeLessThan(1000);
    } finally {
      await other.close();
    }
  });

  test("when a key is checked repeatedly, then the database is asked once, and last_used_at is written at most once a minute", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    // Every miss of the credential cache, and only a miss, reads the key from the database (one raw joined query,
    // api-keys/find-key-for-check.ts, through the driver adapter: db/read-rows.ts).
    const misses = async () =>
      (await t.ctx.metrics.credentialCache.get()).values.find((v) => v.labels.kind === "api_key" && v.labels.result === "miss")?.value ?? 0;
    const missesBefore = await misses();
    const writes = lastUsedWrites(t.ctx.db);
    try {
      for (let i = 0; i < 20; i++) await call(key).expect(200);
      expect((await misses()) - missesBefore).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes.count()).toBe(1);
    } finally {
      writes.restore();
    }
    await eventually(async () => (await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt !== null, 1000);
  });

  test("when a key's check finds it in the database, then the check answers before its last-used write starts", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    const verifier = new ApiKeyVerifier(t.ctx.apiKeys, t.ctx.logger);
    const writes = lastUsedWrites(t.ctx.db);
    try {
      const principal = await verifier.verify(key, { ip: "127.0.0.1", headers: { "user-agent": "checker/1" } });
      expect(principal.credential).toMatchObject({ type: "api_key", id: record.id });
      expect(writes.count()).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes.count()).toBe(1);
    } finally {
      writes.restore();
    }
    await eventually(async () => (await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: record.id } })).lastUsedUserAgent === "checker/1", 1000);
  });

  test("when ten rotations of one key run at once, then exactly one of the returned secrets works", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI })));
    const statuses = await Promise.all([key, ...results.map((r) => r.key)].map(async (k) => (await call(k)).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses[0]).toBe(401);
  });

  test("when the creator of a key is deleted, then the key keeps working for its workspace", async () => {
    const owner = await makeUser(t.ctx);
    const ws = await makeWorkspace(t.ctx, "Keeps keys", [{ userId: owner.id, role: "owner" }]);
    const { createApiKey } = await import("../../../src/api-keys/create-api-key.js");
    const created = await createApiKey(t.ctx.apiKeys, { workspaceId: ws.id, name: "ci", access: "read_only", ownerId: owner.id, actor: CLI });
    await t.ctx.db.user.delete({ where: { id: owner.id } });
    await call(created.key!).expect(200);
  });

  test("when keys are created, used and revoked, then no secret or digest appears in the logs or the audit log", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { key, record } = await makeKey(t.ctx, ws.id);
    await call(key).expect(200);
    await request(t.app).get(`/v1/workspace?api_key=${key}`).expect(400);
    await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    const row = await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: record.id } });
    const audit = JSON.stringify(await t.ctx.db.auditEvent.findMany({ where: { targetId: record.id } }));
    for (const text of [t.logs.text, audit]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(12));
      expect(text).not.toContain(row.digest);
    }
  });
});

describe("rotating from a form that may be re-posted", () => {
  test("when the same confirmation is posted several times at once, then the key is rotated exactly once", async () => {
    const { rotateKeyOnce } = await import("../../../src/api-keys/rotate-key-once.js");
    const ws = await makeWorkspace(t.ctx);
    const { record } = await makeKey(t.ctx, ws.id);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        rotateKeyOnce(t.ctx.apiKeys, { id: record.id, scope: workspaceScope([ws.id]), seenRotatedAt: "", actor: CLI }),
      ),
    );
    const issued = results.filter((r) => r.key !== null);
    expect(issued).toHaveLength(1);
    await call(issued[0].key!).expect(200);
  });
});
