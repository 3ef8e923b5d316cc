import { OPERATOR } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { makeKey, makeWorkspace } from "../../support/fixtures.js";
import { WebhookReceiver } from "../../support/webhook-receiver.js";

// Commit → receipt for events the server commits itself: its worker is woken right after the commit. The poll is
// set to ten minutes here, so an event that arrives at all within the test was sent because of the wake-up.
// (Events committed by another process wait for the poll: test/faults/webhooks-delivery.test.ts reports those.)
let t: TestServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await startTestServer({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "1", WEBHOOK_POLL_INTERVAL_MS: "600000" });
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

test("when 100 events are committed one after another, then each is sent on its commit, without waiting for a poll (latency reported)", async () => {
  const workspace = await makeWorkspace(t.ctx);
  await createWebhook(t.ctx.webhooks, OPERATOR, workspace.id, { url: `${receiver.url}/latency`, events: ["api_key.created"] }, CLI);
  const latencies: number[] = [];
  for (let i = 1; i <= 100; i++) {
    await makeKey(t.ctx, workspace.id);
    const committedAt = Date.now();
    const [receipt] = (await receiver.waitFor("/latency", i)).slice(-1);
    latencies.push(Math.max(0, receipt.at - committedAt));
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `[figure] webhook delivery latency, commit -> receipt, 100 events committed by the serving process (${t.ctx.config.databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL"}): ` +
      `median ${latencies[50]} ms, p95 ${latencies[95]} ms, worst ${latencies[99]} ms`,
  );
}, 120_000);
