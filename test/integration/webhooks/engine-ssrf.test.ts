import { OPERATOR } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { listDeliveries } from "../../../src/webhooks/list-deliveries.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { makeOwner } from "../../support/oauth-helpers.js";
import { eventually } from "../../support/eventually.js";
import { WebhookReceiver } from "../../support/webhook-receiver.js";

// Without WEBHOOK_ALLOW_PRIVATE_TARGETS (the production default), deliveries must not reach internal addresses,
// judged on the address actually connected to. The allowed twin (the flag set) is engine-delivery.test.ts.
// The poll is an hour here: every attempt below is made because the commit woke this process's worker.
let t: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_POLL_INTERVAL_MS: "3600000", WEBHOOK_RETRY_SCHEDULE: "1h" });
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

async function firstAttempt(url: string) {
  const owner = await makeOwner(t.ctx);
  const { webhook } = await createWebhook(t.ctx.webhooks, OPERATOR, owner.workspace.id, { url, events: ["api_key.created"] }, CLI);
  const committed = Date.now();
  await makeKey(t.ctx, owner.workspace.id);
  const delivery = await eventually(async () => {
    const d = (await listDeliveries(t.ctx.webhooks, OPERATOR, webhook.id, { limit: 1 })).data[0];
    return d?.attempts.length > 0 && d;
  }, 5000);
  return { delivery, attempt: delivery.attempts[0], afterMs: Date.parse(delivery.attempts[0].started_at) - committed };
}

describe("the SSRF guard", () => {
  test.each([
    ["a loopback IPv4 literal", (port: number) => `http://127.0.0.1:${port}/in`, /refused: 127\.0\.0\.1 is a loopback address/],
    ["the name localhost (resolved by DNS to loopback)", (port: number) => `http://localhost:${port}/in`, /refused: (127\.0\.0\.1|::1) is a loopback address.*\(localhost\)/],
    ["a loopback IPv6 literal", (port: number) => `http://[::1]:${port}/in`, /refused: ::1 is a loopback address/],
    ["an IPv4-mapped IPv6 loopback", (port: number) => `https://[::ffff:127.0.0.1]:${port}/in`, /refused: ::ffff:7f00:1 \(127\.0\.0\.1\) is a loopback address/],
    ["a private address", () => "https://10.0.0.1/in", /refused: 10\.0\.0\.1 is a private address/],
    ["a link-local address (cloud metadata)", () => "https://169.254.169.254/latest", /refused: 169\.254\.169\.254 is a link-local address/],
  ])("when the target is %s, then nothing is sent and the attempt says why", async (_label, url, reason) => {
    const before = receiver.requests.length;
    const { delivery, attempt } = await firstAttempt(url(receiver.port));
    expect(attempt).toMatchObject({ outcome: "failed", response_status: null, error: expect.stringMatching(reason) });
    expect(attempt.error).toContain("WEBHOOK_ALLOW_PRIVATE_TARGETS=1");
    expect(delivery.status).toBe("pending");
    expect(receiver.requests.length).toBe(before);
  });

  test("when an event commits, then this process attempts it at once, without waiting for its poll", async () => {
    const { afterMs } = await firstAttempt(`http://127.0.0.1:${receiver.port}/in`);
    expect(afterMs).toBeLessThan(2000);
  });
});
