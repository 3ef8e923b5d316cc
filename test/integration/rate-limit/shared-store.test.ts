import fs from "node:fs";
import request from "supertest";
import { SharedRateLimitCounters } from "../../../src/rate-limit/shared-store.js";
import { startTestApp, tempDir, type TestApp } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";
import { setTimeout as sleep } from "node:timers/promises";
import { withLastCharChanged } from "../../support/tamper.js";

/** Two nodes: two whole applications (contexts, caches, counters) on one database, as two processes would be. */
interface TwoNodes {
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

async function twoNodes(env: Record<string, string>): Promise<TwoNodes> {
  const dir = tempDir("wa-rl-");
  const database: TestDatabase = await createTestDatabase(dir);
  const settings = { DATABASE_URL: database.url, AUTH_FAILURES_PER_MINUTE: "1000", ...env };
  const a = await startTestApp(settings);
  const b = await startTestApp(settings);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function workspaceKey(node: TestApp): Promise<string> {
  const user = await makeUser(node.ctx);
  const workspace = await makeWorkspace(node.ctx, undefined, [{ userId: user.id, role: "owner" }]);
  return (await makeKey(node.ctx, workspace.id)).key;
}

async function status(node: TestApp, key: string): Promise<number> {
  return (await request(node.app).get("/v1/workspace").set("authorization", `Bearer ${key}`)).status;
}

/** Waits until the current minute (the fixed rate-limit window) has at least `needMs` left. */
async function roomInWindow(needMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await sleep(left + 50);
}

describe("rate limits shared by two nodes", () => {
  test("when requests alternate between nodes slower than the sync, then a budget of N admits exactly N in total", async () => {
    const nodes = await twoNodes({ RATE_LIMIT_PER_MINUTE: "6", RATE_LIMIT_SYNC_INTERVAL_MS: "100" });
    try {
      const key = await workspaceKey(nodes.a);
      await roomInWindow(10_000);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push(await status(i % 2 === 0 ? nodes.a : nodes.b, key));
        await sleep(250);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    } finally {
      await nodes.close();
    }
  });

  test("when a node has not synchronised yet, then the other overshoots by exactly its unsynchronised hits, and stops after a sync", async () => {
    // A sync interval longer than the test: synchronisations happen only where the test calls them.
    const nodes = await twoNodes({ RATE_LIMIT_PER_MINUTE: "10", RATE_LIMIT_SYNC_INTERVAL_MS: "600000" });
    try {
      const key = await workspaceKey(nodes.a);
      await roomInWindow(10_000);
      const onA = [];
      for (let i = 0; i < 4; i++) onA.push(await status(nodes.a, key));
      const onB = [];
      for (let i = 0; i < 12; i++) onB.push(await status(nodes.b, key));
      expect(onA).toEqual([200, 200, 200, 200]);
      // B read the shared total (0) before A wrote its 4 hits: it admits its own 10, the bound's worst case.
      expect(onB.filter((s) => s === 200)).toHaveLength(10);

      await nodes.a.ctx.rateLimits.sync();
      await nodes.b.ctx.rateLimits.sync();
      // Every hit is counted, refused ones included (as express-rate-limit's own store does).
      const row = await nodes.a.ctx.db.rateLimitCounter.findFirstOrThrow({ where: { id: { startsWith: "v1-credential:" } } });
      expect(row.count).toBe(16);
      expect(await status(nodes.b, key)).toBe(429);
    } finally {
      await nodes.close();
    }
  });

  test("when both nodes are hammered at once, then the total admitted stays within the documented bound", async () => {
    const syncMs = 100;
    const limit = 40;
    const nodes = await twoNodes({ RATE_LIMIT_PER_MINUTE: String(limit), RATE_LIMIT_SYNC_INTERVAL_MS: String(syncMs) });
    try {
      const key = await workspaceKey(nodes.a);
      await roomInWindow(20_000);
      const admitted: { node: "a" | "b"; at: number }[] = [];
      const hammer = async (name: "a" | "b", node: TestApp) => {
        for (let i = 0; i < 60; i++) {
          const s = await status(node, key);
          if (s === 200) admitted.push({ node: name, at: Date.now() });
          else expect(s).toBe(429);
        }
      };
      await Promise.all([hammer("a", nodes.a), hammer("a", nodes.a), hammer("b", nodes.b), hammer("b", nodes.b)]);

      // The bound: the limit plus what the other node admitted within three sync intervals and a round trip
      // (generously 250 ms on this slow machine) before any admission.
      const span = 3 * syncMs + 250;
      const invisible = Math.max(
        ...admitted.map((x) => admitted.filter((y) => y.node !== x.node && y.at <= x.at && y.at > x.at - span).length),
      );
      expect(admitted.length).toBeGreaterThanOrEqual(limit);
      expect(admitted.length).toBeLessThanOrEqual(limit + invisible);
      expect(admitted.length).toBeLessThan(2 * limit);
    } finally {
      await nodes.close();
    }
  });

  test("when one address sends bad credentials to both nodes, then its failures are counted together", async () => {
    const nodes = await twoNodes({ AUTH_FAILURES_PER_MINUTE: "4", RATE_LIMIT_SYNC_INTERVAL_MS: "100" });
    try {
      const key = await workspaceKey(nodes.a);
      await roomInWindow(10_000);
      const bad = withLastCharChanged(key);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push(await status(i % 2 === 0 ? nodes.a : nodes.b, bad));
        await sleep(250);
      }
      expect(statuses).toEqual([401, 401, 401, 401]);
      // Both nodes now refuse the address's failures; its good key is still served on both.
      expect(await status(nodes.a, bad)).toBe(429);
      expect(await status(nodes.b, bad)).toBe(429);
      expect(await status(nodes.a, key)).toBe(200);
      expect(await status(nodes.b, key)).toBe(200);
    } finally {
      await nodes.close();
    }
  });

  test("when the address's failures stay under the limit on each node, then good requests through both still pass", async () => {
    const nodes = await twoNodes({ AUTH_FAILURES_PER_MINUTE: "4", RATE_LIMIT_SYNC_INTERVAL_MS: "100" });
    try {
      const key = await workspaceKey(nodes.a);
      await roomInWindow(10_000);
      const bad = withLastCharChanged(key);
      expect(await status(nodes.a, bad)).toBe(401);
      await sleep(250);
      expect(await status(nodes.b, bad)).toBe(401);
      await sleep(250);
      for (let i = 0; i < 6; i++) expect(await status(i % 2 === 0 ? nodes.a : nodes.b, key)).toBe(200);
    } finally {
      await nodes.close();
    }
  });
});

describe("the shared counters themselves", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SYNC_INTERVAL_MS: "500" });
  });
  afterAll(() => t.close());

  test("when many requests arrive, then the counters are written once per sync interval, not once per request", async () => {
    const key = await workspaceKey(t);
    await roomInWindow(15_000);
    const syncs = async () => (await t.ctx.metrics.rateLimitSyncs.get()).values.reduce((sum, v) => sum + v.value, 0);
    const before = await syncs();
    const started = Date.now();
    for (let i = 0; i < 100; i++) expect(await status(t, key)).toBe(200);
    await t.ctx.rateLimits.sync();
    const elapsed = Date.now() - started;
    const writes = (await syncs()) - before;
    expect(writes).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 2);
    expect(writes).toBeLessThan(100);
    const row = await t.ctx.db.rateLimitCounter.findFirstOrThrow({ where: { id: { startsWith: "v1-credential:" } } });
    expect(row.count).toBe(100);
  });

  test("when a counter's window has ended, then the next synchronisation purges it and keeps live ones", async () => {
    await t.ctx.db.rateLimitCounter.createMany({
      data: [
        { id: "test:old|0", count: 5, expiresAt: new Date(Date.now() - 1000) },
        { id: "test:live|0", count: 5, expiresAt: new Date(Date.now() + 60_000) },
      ],
    });
    const counters = new SharedRateLimitCounters(t.ctx.db, t.ctx.logger, { syncIntervalMs: 500 });
    await counters.sync();
    const ids = (await t.ctx.db.rateLimitCounter.findMany({ where: { id: { startsWith: "test:" } } })).map((r) => r.id);
    expect(ids).toEqual(["test:live|0"]);
  });
});
