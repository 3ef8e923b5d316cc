import { OPERATOR } from "../../src/access/access-scope.js";
import { revokeApiKey } from "../../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../src/api-keys/rotate-api-key.js";
import { CLI } from "../../src/audit/audit-log.js";
import { loadConfig } from "../../src/config.js";
import { type AppContext, buildContext } from "../../src/context.js";
import { createLogger } from "../../src/logger.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase } from "../support/database.js";
import { makeKey, makeWorkspace } from "../support/fixtures.js";
import { type NodeProcess, startNode } from "../support/node-process.js";

const adminUrl = postgresAdminUrl();
const onPostgres = adminUrl ? describe : describe.skip;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(node: NodeProcess, key: string): Promise<number> {
  return (await fetch(`${node.url}/v1/workspace`, { headers: { Authorization: `Bearer ${key}` } })).status;
}

/**
 * Polls one node until `key` gets `expected`; returns when the first request so answered was sent, in ms after
 * `since` (the moment the node decided, without the response's trip back on a loaded machine), or fails after 5 s.
 */
async function msUntil(node: NodeProcess, key: string, expected: number, since: number): Promise<number> {
  for (;;) {
    const sentAt = Date.now();
    if ((await status(node, key)) === expected) return Math.max(0, sentAt - since);
    if (sentAt - since > 5000) throw new Error(`${node.name} still did not answer ${expected} after 5 s`);
    await sleep(10);
  }
}

onPostgres("rotation with overlap across two server processes on one PostgreSQL (runs only with TEST_DATABASE_URL)", () => {
  let database: TestDatabase;
  let nodes: NodeProcess[];
  let admin: AppContext;
  let workspaceId: string;

  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl!);
    const env = { DATABASE_URL: database.url, ISSUER: "http://127.0.0.1:3999", AUTH_FAILURES_PER_MINUTE: "1000" };
    nodes = await Promise.all([startNode("A", env), startNode("B", env)]);
    // The operator's own connection, as the CLI has: its changes reach the nodes through the change log only.
    admin = await buildContext(loadConfig({ NODE_ENV: "test", DATABASE_URL: database.url }), { logger: createLogger("silent") });
    workspaceId = (await makeWorkspace(admin)).id;
  }, 180_000);

  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await admin?.close();
    await database?.drop();
  });

  test("when the overlap ends, then the old secret works on both nodes until that exact instant and is refused 401 on both right after", async () => {
    const { key: old, record } = await makeKey(admin, workspaceId);
    for (const node of nodes) expect(await status(node, old)).toBe(200); // cached on both
    const rotated = await rotateApiKey(admin.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "1h" });
    for (const node of nodes) {
      expect(await status(node, old)).toBe(200);
      expect(await status(node, rotated.key)).toBe(200);
    }
    // An hour is too long to wait: move the end of the overlap 3 s ahead, as the hour passing would bring it.
    const end = Date.now() + 3000;
    await admin.db.$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id: record.id }, data: { previousExpiresAt: new Date(end) } });
      await tx.credentialEvent.create({ data: { kind: "api_key", targetId: record.id } });
    });
    admin.feed.emit("api_key", record.id);
    while (Date.now() < end - 150) {
      for (const node of nodes) expect([node.name, await status(node, old)]).toEqual([node.name, 200]);
      await sleep(50);
    }
    await sleep(Math.max(0, end - Date.now()));
    const lags = await Promise.all(nodes.map((node) => msUntil(node, old, 401, end)));
    console.log(`[figure] previous secret refused after the end of its overlap: ${lags.map((ms, i) => `${nodes[i].name} ${ms} ms`).join(", ")}`);
    for (const ms of lags) expect(ms).toBeLessThan(1000);
    for (const node of nodes) expect(await status(node, rotated.key)).toBe(200);
  });

  test("when a key in an overlap is revoked on another process, then both of its secrets get 401 on both nodes within 1 s", async () => {
    const { key: old, record } = await makeKey(admin, workspaceId);
    const rotated = await rotateApiKey(admin.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "7d" });
    for (const node of nodes) expect([await status(node, old), await status(node, rotated.key)]).toEqual([200, 200]);
    await revokeApiKey(admin.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    const revokedAt = Date.now(); // committed
    const lags = await Promise.all(nodes.flatMap((node) => [msUntil(node, old, 401, revokedAt), msUntil(node, rotated.key, 401, revokedAt)]));
    console.log(`[figure] both secrets refused after revoking during an overlap: slowest ${Math.max(...lags)} ms over two nodes`);
    for (const ms of lags) expect(ms).toBeLessThan(1000);
  });

  test("when a key is rotated again during an overlap on another process, then the oldest secret gets 401 on both nodes within 1 s", async () => {
    const { key: first, record } = await makeKey(admin, workspaceId);
    const second = await rotateApiKey(admin.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "24h" });
    for (const node of nodes) expect([await status(node, first), await status(node, second.key)]).toEqual([200, 200]);
    const third = await rotateApiKey(admin.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI, overlap: "24h" });
    const at = Date.now(); // committed
    const lags = await Promise.all(nodes.map((node) => msUntil(node, first, 401, at)));
    console.log(`[figure] oldest secret refused after a second rotation during an overlap: slowest ${Math.max(...lags)} ms over two nodes`);
    for (const ms of lags) expect(ms).toBeLessThan(1000);
    for (const node of nodes) expect([await status(node, second.key), await status(node, third.key)]).toEqual([200, 200]);
  });
});
