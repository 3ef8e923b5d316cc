import { CLI, recordAudit } from "../../../src/audit/audit-log.js";
import { createDb, type Db } from "../../../src/db/client.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { DeliveryWorker } from "../../../src/webhooks/delivery-worker.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeOwner } from "../../support/oauth-helpers.js";
import { eventually, WebhookReceiver } from "../../support/webhook-receiver.js";

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
