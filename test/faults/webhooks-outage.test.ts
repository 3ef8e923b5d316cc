import { OPERATOR } from "../../src/access/access-scope.js";
import { CLI, recordAudit } from "../../src/audit/audit-log.js";
import { createDb, type Db } from "../../src/db/client.js";
import { createLogger } from "../../src/logger.js";
import { createWebhook } from "../../src/webhooks/create-webhook.js";
import { DeliveryWorker } from "../../src/webhooks/delivery-worker.js";
import { LogCapture, startTestApp, type TestApp } from "../support/app.js";
import { postgresAdminUrl } from "../support/database.js";
import { makeOwner } from "../support/oauth-helpers.js";
import { eventually } from "../support/eventually.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";
import { BlackholeProxy } from "./tcp-proxy.js";

// A delivery worker whose PostgreSQL is cut off (a TCP proxy drops the path) waits longer and longer between
// claims, never crashes, and delivers what was committed meanwhile once the path is back.
const withPostgres = postgresAdminUrl() ? describe : describe.skip;

withPostgres("the webhook worker during a PostgreSQL outage (needs TEST_DATABASE_URL)", () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let proxy: BlackholeProxy;
  let db: Db;
  let worker: DeliveryWorker;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "1" });
    // Only the worker under test sends.
    await t.ctx.webhookWorker!.stop();
    receiver = await WebhookReceiver.start();
    proxy = new BlackholeProxy(Number(new URL(t.config.databaseUrl).port));
    await proxy.start();
    const viaProxy = new URL(t.config.databaseUrl);
    viaProxy.port = String(proxy.port);
    db = await createDb(viaProxy.toString(), { postgres: { ...t.config.database, connectTimeoutMs: 500, queryTimeoutMs: 500, statementTimeoutMs: 400 } });
    // A lease a little longer than an attempt: a claim whose answer was lost in the outage holds its row that long.
    const settings = { ...t.config.webhooks, databaseUrl: viaProxy.toString(), pollIntervalMs: 100, timeoutMs: 1000, leaseMs: 3000 };
    worker = new DeliveryWorker({ db, secrets: t.ctx.webhooks.secrets }, settings, createLogger("warn", logs));
    worker.start();
  });
  afterAll(async () => {
    proxy.heal();
    await worker.stop();
    await db.$disconnect().catch(() => undefined);
    await proxy.stop();
    await receiver.close();
    await t.close();
  });

  test("when the database is unreachable for 4 s, then the worker backs off (growing gaps), and delivers the event committed meanwhile after it is back", async () => {
    const owner = await makeOwner(t.ctx);
    await createWebhook(t.ctx.webhooks, OPERATOR, owner.workspace.id, { url: `${receiver.url}/outage`, events: ["api_key.created"] }, CLI);
    const commit = (id: string) =>
      t.ctx.db.$transaction((tx) => recordAudit(tx, { workspaceId: owner.workspace.id, actor: CLI, action: "api_key.created", target: { type: "api_key", id } }));
    await commit("before");
    await receiver.waitFor("/outage", 1);
    // Recorded too, or its record would be cut off by the outage and the event sent again later (at-least-once).
    await eventually(async () => (await t.ctx.db.webhookDelivery.count({ where: { status: "succeeded", endpoint: { workspaceId: owner.workspace.id } } })) === 1);

    proxy.blackhole();
    await commit("during");
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(receiver.to("/outage")).toHaveLength(1);
    const failures = logs.lines
      .map((line) => JSON.parse(line) as { msg: string; time: number; failures?: number })
      .filter((l) => l.msg.startsWith("webhook delivery worker could not claim"));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.map((f) => f.failures)).toEqual(failures.map((_f, i) => i + 1));
    const gaps = failures.slice(1).map((f, i) => f.time - failures[i].time);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]);
    console.log(`[figure] webhook worker during a 4 s database outage: ${failures.length} failed claims, gaps ${gaps.join(", ")} ms`);

    const healed = Date.now();
    proxy.heal();
    const [, during] = await receiver.waitFor("/outage", 2, 20_000);
    expect(JSON.parse(during.body)).toMatchObject({ data: { object: { id: "during" } } });
    console.log(`[figure] webhook delivered ${during.at - healed} ms after the database came back`);
  });
});
