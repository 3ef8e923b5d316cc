import { CLI, recordAudit } from "../../../src/audit/audit-log.js";
import { createDb, type Db } from "../../../src/db/client.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { claimDueDeliveries, recordAttempt } from "../../../src/webhooks/delivery-claims.js";
import { DeliveryWorker } from "../../../src/webhooks/delivery-worker.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeOwner } from "../../support/oauth-helpers.js";
import { eventually } from "../../support/eventually.js";
import { WebhookReceiver } from "../../support/webhook-receiver.js";

// Several workers, each on its own database connection like separate nodes, share one outbox: every delivery is
// sent exactly once (leases never run out here), whichever worker claims it. On PostgreSQL (TEST_DATABASE_URL)
// this exercises FOR UPDATE SKIP LOCKED; the real multi-process runs are in test/faults/.
let t: TestApp;
let receiver: WebhookReceiver;
const nodes: { db: Db; worker: DeliveryWorker }[] = [];

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "1", WEBHOOK_POLL_INTERVAL_MS: "50", WEBHOOK_CONCURRENCY: "4" });
  receiver = await WebhookReceiver.start();
  for (let i = 0; i < 3; i++) {
    const db = await createDb(t.config.databaseUrl, { postgres: t.config.database });
    const worker = new DeliveryWorker({ db, secrets: t.ctx.webhooks.secrets }, { databaseUrl: t.config.databaseUrl, ...t.config.webhooks }, t.ctx.logger);
    nodes.push({ db, worker });
  }
});
afterAll(async () => {
  for (const node of nodes) {
    await node.worker.stop();
    await node.db.$disconnect();
  }
  await t.close();
  await receiver.close();
});

test("when four workers share the outbox, then each of 120 deliveries reaches the receiver exactly once", async () => {
  const owner = await makeOwner(t.ctx);
  await createWebhook(t.ctx.webhooks, OPERATOR, owner.workspace.id, { url: `${receiver.url}/shared`, events: ["api_key.created"] }, CLI);
  for (const node of nodes) node.worker.start();
  // Six commits of 20 (one long transaction would outlast Prisma's 5 s limit on a busy machine).
  for (let batch = 0; batch < 6; batch++) {
    await t.ctx.db.$transaction(async (tx) => {
      for (let i = 0; i < 20; i++) {
        await recordAudit(tx, { workspaceId: owner.workspace.id, actor: CLI, action: "api_key.created", target: { type: "api_key", id: `key-${batch}-${i}` } });
      }
    });
  }
  const got = await receiver.waitFor("/shared", 120, 30_000);
  await eventually(async () => (await t.ctx.db.webhookDelivery.count({ where: { status: "succeeded" } })) === 120, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ids = receiver.to("/shared").map((r) => r.headers["webhook-id"]);
  expect(ids).toHaveLength(120);
  expect(new Set(ids).size).toBe(120);
  expect(got.length).toBe(120);
  expect(await t.ctx.db.webhookAttempt.count()).toBe(120);
});

describe("leases", () => {
  /** A webhook in a workspace of its own, and one event for it committed through a client no worker watches. */
  async function oneEvent(path: string) {
    const owner = await makeOwner(t.ctx);
    const { webhook } = await createWebhook(t.ctx.webhooks, OPERATOR, owner.workspace.id, { url: `${receiver.url}${path}`, events: ["api_key.created"] }, CLI);
    await nodes[0].db.$transaction((tx) => recordAudit(tx, { workspaceId: owner.workspace.id, actor: CLI, action: "api_key.created", target: { type: "api_key", id: path } }));
    return webhook;
  }

  beforeAll(async () => {
    // Only the workers each test starts may claim from here on.
    await Promise.all([t.ctx.webhookWorker!.stop(), ...nodes.map((node) => node.worker.stop())]);
  });

  test("when a worker dies holding a lease, then nobody else sends it until the lease ends, then another claims it and the dead one's late record is refused", async () => {
    const webhook = await oneEvent("/lease");
    const [dead] = await claimDueDeliveries(nodes[0].db, t.config.databaseUrl, 10, 800);
    expect(dead.endpoint.id).toBe(webhook.id);
    expect(await claimDueDeliveries(nodes[1].db, t.config.databaseUrl, 10, 800)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 900));
    const [next] = await claimDueDeliveries(nodes[1].db, t.config.databaseUrl, 10, 5000);
    expect(next.id).toBe(dead.id);
    expect(next.leaseToken).not.toBe(dead.leaseToken);
    const outcome = { result: { ok: true, responseStatus: 204, error: null, durationMs: 5 }, startedAt: new Date(), retryAt: null };
    expect(await recordAttempt(nodes[0].db, dead, outcome)).toBe(false);
    expect(await recordAttempt(nodes[1].db, next, outcome)).toBe(true);
    const row = await t.ctx.db.webhookDelivery.findUniqueOrThrow({ where: { id: dead.id }, include: { attempts: true } });
    expect(row).toMatchObject({ status: "succeeded", attemptCount: 1, leaseToken: null, leaseUntil: null });
    expect(row.attempts).toHaveLength(1);
  });

  test("when a worker is stopped during an attempt, then stop() returns only after the attempt is recorded", async () => {
    const worker = new DeliveryWorker(
      { db: nodes[2].db, secrets: t.ctx.webhooks.secrets },
      { databaseUrl: t.config.databaseUrl, ...t.config.webhooks, timeoutMs: 1000, leaseMs: 5000 },
      t.ctx.logger,
    );
    const webhook = await oneEvent("/slow-stop");
    worker.start();
    await receiver.waitFor("/slow-stop", 1);
    await worker.stop();
    const row = await t.ctx.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: webhook.id }, include: { attempts: true } });
    expect(row).toMatchObject({ status: "pending", attemptCount: 1, leaseToken: null });
    expect(row.attempts).toEqual([expect.objectContaining({ outcome: "failed", error: "no response within 1 s" })]);
  });
});
