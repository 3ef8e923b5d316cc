import request from "supertest";
import { ChangeFeed } from "../../../src/change-feed/change-feed.js";
import { CredentialCache } from "../../../src/credentials/credential-cache.js";
import { ServiceUnavailableError } from "../../../src/errors/app-error.js";
import { createLogger } from "../../../src/logger.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeWorkspace } from "../../support/fixtures.js";
import { setTimeout as sleep } from "node:timers/promises";

const STALENESS_MS = 600;
const POLL_MS = 100;

let t: TestApp;
let workspaceId: string;

beforeAll(async () => {
  // SQLite by default (PostgreSQL when TEST_DATABASE_URL is set): the bound holds on both.
  t = await startTestApp({
    CREDENTIAL_MAX_STALENESS_MS: String(STALENESS_MS),
    CACHE_POLL_INTERVAL_MS: String(POLL_MS),
    AUTH_FAILURES_PER_MINUTE: "10000",
  });
  workspaceId = (await makeWorkspace(t.ctx)).id;
});
afterAll(() => t.close());

const v1 = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

/** Revokes a key in the database behind the server's back: no change-log entry, as if its announcement was lost. */
const revokeSilently = (id: string) => t.ctx.db.$executeRawUnsafe(`UPDATE "ApiKey" SET "status" = 'revoked' WHERE "id" = '${id}'`);

/** Makes every poll of the change log fail (the node stops hearing it) until the returned function runs. */
async function silenceChangeLog(): Promise<() => Promise<void>> {
  await t.ctx.db.$executeRawUnsafe(`ALTER TABLE "CredentialEvent" RENAME TO "CredentialEvent_off"`);
  return async () => {
    await t.ctx.db.$executeRawUnsafe(`ALTER TABLE "CredentialEvent_off" RENAME TO "CredentialEvent"`);
  };
}

describe("bounded trust in cached credentials", () => {
  test("when the change log is heard, then a cached key is trusted as it is, even past the staleness bound", async () => {
    const { key, record } = await makeKey(t.ctx, workspaceId);
    await v1(key).expect(200);
    await revokeSilently(record.id);
    await sleep(STALENESS_MS * 3);
    // The cache was told nothing and the feed is healthy: no re-check, the key still works (the trade-off).
    await v1(key).expect(200);
  });

  test("when the change-log poll has failed for longer than the bound, then a cached key is re-checked and a key revoked meanwhile is refused", async () => {
    const { key, record } = await makeKey(t.ctx, workspaceId);
    await v1(key).expect(200);
    const restore = await silenceChangeLog();
    try {
      await revokeSilently(record.id);
      await sleep(STALENESS_MS + 3 * POLL_MS);
      await v1(key).expect(401);
    } finally {
      await restore();
    }
  });

  test("when the change log is silent past the bound and the re-check cannot reach the key either, then 503 with Retry-After, and the key works again once the database answers", async () => {
    const { key } = await makeKey(t.ctx, workspaceId);
    await v1(key).expect(200);
    const restore = await silenceChangeLog();
    await t.ctx.db.$executeRawUnsafe(`ALTER TABLE "ApiKey" RENAME TO "ApiKey_off"`);
    try {
      await sleep(STALENESS_MS + 3 * POLL_MS);
      const res = await v1(key).expect(503);
      expect(res.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(res.body).toEqual({ error: { type: "api_error", code: "service_unavailable", message: expect.any(String) } });
    } finally {
      await t.ctx.db.$executeRawUnsafe(`ALTER TABLE "ApiKey_off" RENAME TO "ApiKey"`);
      await restore();
    }
    await sleep(3 * POLL_MS);
    await v1(key).expect(200);
  });
});

describe("the credential cache's re-checks", () => {
  /** A feed that never started: it has heard nothing, so every entry is past the bound. */
  const deafFeed = () => new ChangeFeed(t.ctx.db, createLogger("silent"), 400);

  test("when a stale entry was re-checked less than a poll interval ago, then it is served without another lookup", async () => {
    const cache = new CredentialCache<string>(10, deafFeed());
    let lookups = 0;
    const load = async () => ({ value: `v${++lookups}`, tags: [] });
    expect(await cache.get("k", load)).toBe("v1");
    expect(await cache.get("k", load)).toBe("v1");
    expect(lookups).toBe(1);
    await sleep(450);
    expect(await cache.get("k", load)).toBe("v2");
  });

  test("when a stale entry's re-check failed, then requests within the poll interval get 503 without asking the database again", async () => {
    const cache = new CredentialCache<string>(10, deafFeed());
    let lookups = 0;
    let up = true;
    const load = async () => {
      lookups++;
      if (!up) throw new Error("Connection terminated unexpectedly");
      return { value: "v", tags: [] };
    };
    await cache.get("k", load);
    await sleep(450);
    up = false;
    await expect(cache.get("k", load)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(cache.get("k", load)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(lookups).toBe(2);
    await sleep(450);
    up = true;
    expect(await cache.get("k", load)).toBe("v");
    expect(lookups).toBe(3);
  });

  test("when the feed is heard, then an entry is served from the cache without re-checks", async () => {
    const cache = new CredentialCache<string>(10, t.ctx.feed);
    let lookups = 0;
    const load = async () => ({ value: `v${++lookups}`, tags: [] });
    await cache.get("k", load);
    await sleep(450);
    expect(await cache.get("k", load)).toBe("v1");
    expect(lookups).toBe(1);
  });
});
