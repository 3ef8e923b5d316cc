import { Webhook } from "standardwebhooks";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { announceExpiringKeys } from "../../../src/api-keys/announce-expiring-keys.js";
import { expireApiKey } from "../../../src/api-keys/expire-api-keys.js";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../../src/api-keys/rotate-api-key.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { revokeAuthorizedApp } from "../../../src/authorized-apps/revoke-authorized-app.js";
import { addMember } from "../../../src/workspaces/add-member.js";
import { removeMember } from "../../../src/workspaces/remove-member.js";
import type { WebhookEventType } from "../../../src/webhook-outbox/webhook-events.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { listDeliveries } from "../../../src/webhooks/list-deliveries.js";
import { resendDelivery } from "../../../src/webhooks/resend-delivery.js";
import { rotateWebhookSecret } from "../../../src/webhooks/rotate-webhook-secret.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeKey, makeUser } from "../../support/fixtures.js";
import { makeClient, makeOwner } from "../../support/oauth-helpers.js";
import { eventually } from "../../support/eventually.js";
import { type Received, WebhookReceiver } from "../../support/webhook-receiver.js";

// The delivery engine end to end: real use cases write events, the server's own worker sends them to a real
// receiver, which verifies every request with the Standard Webhooks reference library.
let t: TestServer;
let receiver: WebhookReceiver;
let n = 0;

beforeAll(async () => {
  t = await startTestServer({
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    WEBHOOK_RETRY_SCHEDULE: "200ms,200ms,200ms",
    WEBHOOK_TIMEOUT_MS: "1000",
    WEBHOOK_LEASE_MS: "5000",
    WEBHOOK_POLL_INTERVAL_MS: "100",
  });
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

/** A workspace of its own with one webhook on a path of its own, subscribed to `events`. */
async function hooked(events: WebhookEventType[] = ["api_key.created"], path = `/ok-${++n}`, url = `${receiver.url}${path}`) {
  const owner = await makeOwner(t.ctx);
  const { webhook, secret } = await createWebhook(t.ctx.webhooks, OPERATOR, owner.workspace.id, { url, events }, CLI);
  return { owner, ws: owner.workspace, webhook, secret, path };
}

interface Body {
  type: string;
  timestamp: string;
  data: { workspace_id: string; object: { type: string; id: string }; actor: { type: string; label: string | null }; details: Record<string, unknown> };
}

/** Verifies a request as a receiver would, and returns its parsed body. */
function verified(request: Received, secret: string): Body {
  return new Webhook(secret).verify(request.body, request.headers) as Body;
}

/** Arrival order is not guaranteed (see the first test): compare events sorted by type. */
const byType = (a: Body, b: Body) => a.type.localeCompare(b.type);

const types = (requests: Received[]) => requests.map((r) => (JSON.parse(r.body) as Body).type);

describe("events from the real use cases reach the receiver, signed", () => {
  // Each event is its own delivery, sent as soon as it commits: they may overtake each other (the README tells
  // receivers to order by `timestamp`), so the test does not assume arrival order.
  test("when a key is created, rotated and revoked, then three signed events arrive, with the right payload and no secret", async () => {
    const { ws, secret, path } = await hooked(["api_key.created", "api_key.rotated", "api_key.revoked"]);
    const { key, record } = await makeKey(t.ctx, ws.id);
    const rotated = await rotateApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    await revokeApiKey(t.ctx.apiKeys, { id: record.id, scope: OPERATOR, actor: CLI });
    const got = await receiver.waitFor(path, 3);
    expect(types(got).sort()).toEqual(["api_key.created", "api_key.revoked", "api_key.rotated"]);
    const created = verified(got.find((r) => types([r])[0] === "api_key.created")!, secret);
    expect(created).toMatchObject({
      type: "api_key.created",
      data: { workspace_id: ws.id, object: { type: "api_key", id: record.id }, actor: { type: "cli", label: "command line" }, details: { name: record.name, prefix: record.prefix } },
    });
    expect(Date.parse(created.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    for (const r of got) {
      verified(r, secret);
      expect(r.headers["webhook-id"]).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
      expect(r.headers["content-type"]).toBe("application/json");
      for (const s of [key, rotated.key, key.slice(4), rotated.key.slice(4)]) expect(r.body).not.toContain(s);
    }
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(3);
    const deliveries = await eventually(async () => {
      const page = await listDeliveries(t.ctx.webhooks, OPERATOR, (await t.ctx.db.webhookEndpoint.findFirstOrThrow({ where: { workspaceId: ws.id } })).id, { limit: 10 });
      return page.data.every((d) => d.status === "succeeded") && page.data;
    });
    expect(deliveries[0].attempts).toEqual([expect.objectContaining({ outcome: "succeeded", response_status: 204, error: null })]);
  });

  test("when a member is added and removed, then member.added and member.removed arrive", async () => {
    const { ws, secret, path } = await hooked(["member.added", "member.removed"]);
    const user = await makeUser(t.ctx);
    await addMember(t.ctx.db, { workspaceId: ws.id, email: user.email, role: "member", actor: CLI });
    await removeMember(t.ctx.db, { workspaceId: ws.id, email: user.email, actor: CLI });
    const got = await receiver.waitFor(path, 2);
    expect(got.map((r) => verified(r, secret)).sort(byType)).toEqual([
      expect.objectContaining({ type: "member.added", data: expect.objectContaining({ details: { email: user.email, role: "member" } }) }),
      expect.objectContaining({ type: "member.removed", data: expect.objectContaining({ details: { email: user.email, role: "member" } }) }),
    ]);
  });

  test("when an app is connected through the OAuth flow and revoked, then authorized_app.authorized and .revoked arrive, without any token", async () => {
    const { owner, ws, secret, path } = await hooked(["authorized_app.authorized", "authorized_app.revoked"]);
    const client = await makeClient(t.ctx, { name: "Hooked App" });
    const connection = await connect({ issuer: t.url, client, user: owner.credentials, scope: "tags:read offline_access", workspaceId: ws.id });
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id, workspaceId: ws.id } });
    await revokeAuthorizedApp({ db: t.ctx.db, feed: t.ctx.feed }, { id: record.id, scope: OPERATOR, by: "user", actor: CLI });
    const got = await receiver.waitFor(path, 2);
    const [authorized, revoked] = got.map((r) => verified(r, secret)).sort(byType);
    expect(authorized).toMatchObject({ type: "authorized_app.authorized", data: { object: { type: "authorized_app", id: record.id }, details: { app_name: "Hooked App", client_id: client.id } } });
    expect(authorized.data.actor).toEqual({ type: "user", label: owner.user.email });
    expect(revoked).toMatchObject({ type: "authorized_app.revoked", data: { object: { id: record.id } } });
    for (const r of got) {
      expect(r.body).not.toContain(connection.tokens.access_token);
      if (connection.tokens.refresh_token) expect(r.body).not.toContain(connection.tokens.refresh_token);
      if (client.secret) expect(r.body).not.toContain(client.secret);
    }
  });

  test("when a key is reported leaked, then api_key.revoked (with the reason) and credential.reported_leaked arrive", async () => {
    const { ws, secret, path } = await hooked(["api_key.revoked", "credential.reported_leaked"]);
    const { key, record } = await makeKey(t.ctx, ws.id);
    const res = await fetch(`${t.url}/credentials/revoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ credentials: [key] }) });
    expect(res.status).toBeLessThan(300);
    const got = await receiver.waitFor(path, 2);
    const bodies = got.map((r) => verified(r, secret));
    expect(bodies.map((b) => b.type).sort()).toEqual(["api_key.revoked", "credential.reported_leaked"]);
    for (const b of bodies) expect(b.data).toMatchObject({ object: { type: "api_key", id: record.id }, details: { reason: "reported_leaked" } });
    for (const r of got) expect(r.body).not.toContain(key.slice(4));
  });

  test("when a key enters its last 7 days and then expires, then api_key.expiring_soon and api_key.expired arrive", async () => {
    const { ws, secret, path } = await hooked(["api_key.expiring_soon", "api_key.expired"]);
    const { record } = await makeKey(t.ctx, ws.id, "read_only", new Date(Date.now() + 86_400_000));
    await announceExpiringKeys(t.ctx.apiKeys);
    await expireApiKey(t.ctx.apiKeys, record.id, new Date(Date.now() + 2 * 86_400_000));
    const got = await receiver.waitFor(path, 2);
    expect(got.map((r) => verified(r, secret).type).sort()).toEqual(["api_key.expired", "api_key.expiring_soon"]);
  });

  test("when an event is not subscribed, or happens in another workspace, then this webhook gets nothing", async () => {
    const { ws, path } = await hooked(["api_key.revoked"]);
    const other = await hooked(["api_key.created"]);
    await makeKey(t.ctx, ws.id);
    await makeKey(t.ctx, other.ws.id);
    await receiver.waitFor(other.path, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.to(path)).toEqual([]);
    expect(await t.ctx.db.webhookEvent.count({ where: { workspaceId: ws.id } })).toBe(0);
  });
});

describe("signing secrets", () => {
  test("when the secret was rotated, then both secrets verify during the overlap, and after it only the new one", async () => {
    const { ws, webhook, secret: old, path } = await hooked();
    const { secret: fresh } = await rotateWebhookSecret(t.ctx.webhooks, OPERATOR, webhook.id, CLI);
    await makeKey(t.ctx, ws.id);
    const [during] = await receiver.waitFor(path, 1);
    expect(during.headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(verified(during, fresh).type).toBe("api_key.created");
    expect(verified(during, old).type).toBe("api_key.created");

    await t.ctx.db.webhookEndpoint.update({ where: { id: webhook.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    await makeKey(t.ctx, ws.id);
    const after = (await receiver.waitFor(path, 2))[1];
    expect(after.headers["webhook-signature"].split(" ")).toHaveLength(1);
    expect(verified(after, fresh).type).toBe("api_key.created");
    expect(() => verified(after, old)).toThrow();
  });
});

describe("failures, retries and resend", () => {
  const attemptsOf = async (webhookId: string) => (await listDeliveries(t.ctx.webhooks, OPERATOR, webhookId, { limit: 1 })).data[0];

  test("when the receiver redirects, then the redirect is not followed and the attempt says so", async () => {
    const { ws, webhook } = await hooked(["api_key.created"], `/redirect-${++n}`);
    const before = receiver.to("/after-redirect").length;
    await makeKey(t.ctx, ws.id);
    const delivery = await eventually(async () => {
      const d = await attemptsOf(webhook.id);
      return d.attempts.length > 0 && d;
    });
    expect(delivery.attempts[0]).toMatchObject({ outcome: "failed", response_status: 302, error: expect.stringMatching(/redirect \(HTTP 302\) not followed/) });
    expect(receiver.to("/after-redirect").length).toBe(before);
  });

  test("when the receiver does not answer within WEBHOOK_TIMEOUT_MS, then the attempt fails as a timeout", async () => {
    const { ws, webhook } = await hooked(["api_key.created"], `/slow-${++n}`);
    await makeKey(t.ctx, ws.id);
    const delivery = await eventually(async () => {
      const d = await attemptsOf(webhook.id);
      return d.attempts.length > 0 && d;
    });
    expect(delivery.attempts[0]).toMatchObject({ outcome: "failed", response_status: null, error: "no response within 1 s" });
    expect(delivery.attempts[0].duration_ms).toBeGreaterThanOrEqual(950);
    expect(delivery.attempts[0].duration_ms).toBeLessThan(3000);
  });

  test("when the receiver is down and comes back, then the delivery is retried and delivered once it is up", async () => {
    const later = await WebhookReceiver.start();
    const port = later.port;
    await later.close();
    const { ws, webhook, secret } = await hooked(["api_key.created"], "/back", `http://127.0.0.1:${port}/back`);
    await makeKey(t.ctx, ws.id);
    const failed = await eventually(async () => {
      const d = await attemptsOf(webhook.id);
      return d.attempts.length > 0 && d;
    });
    expect(failed.attempts[0]).toMatchObject({ outcome: "failed", error: "connection refused" });
    expect(failed.status).toBe("pending");
    const back = await WebhookReceiver.start(port);
    try {
      const [got] = await back.waitFor("/back", 1);
      expect(verified(got, secret).type).toBe("api_key.created");
      const done = await eventually(async () => {
        const d = await attemptsOf(webhook.id);
        return d.status === "succeeded" && d;
      });
      expect(done.attempts[0].outcome).toBe("succeeded");
      expect(done.attempts.at(-1)!.outcome).toBe("failed");
    } finally {
      await back.close();
    }
  });

  test("when every retry fails, then the delivery fails, the endpoint is disabled (audited, reason kept) and gets no new events", async () => {
    const { ws, webhook, path } = await hooked(["api_key.created"], `/fail-${++n}`);
    await makeKey(t.ctx, ws.id);
    const endpoint = await eventually(async () => {
      const e = await t.ctx.db.webhookEndpoint.findUniqueOrThrow({ where: { id: webhook.id } });
      return e.status === "disabled" && e;
    });
    expect(receiver.to(path)).toHaveLength(4);
    expect(endpoint.disabledReason).toMatch(/failed after 4 attempts.*HTTP 500/);
    const delivery = await attemptsOf(webhook.id);
    expect(delivery).toMatchObject({ status: "failed", attempt_count: 4, next_attempt_at: null });
    expect(delivery.attempts.map((a) => a.response_status)).toEqual([500, 500, 500, 500]);
    const audit = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.disabled", targetId: webhook.id } });
    expect(audit.actorType).toBe("system");
    await makeKey(t.ctx, ws.id);
    expect(await t.ctx.db.webhookDelivery.count({ where: { endpointId: webhook.id } })).toBe(1);
  });

  test("when a failing endpoint had a success since the delivery was queued, then it stays enabled", async () => {
    const { ws, webhook } = await hooked(["api_key.created"], `/fail-${++n}`);
    await makeKey(t.ctx, ws.id);
    await t.ctx.db.webhookEndpoint.update({ where: { id: webhook.id }, data: { lastSuccessAt: new Date(Date.now() + 60_000) } });
    await eventually(async () => (await attemptsOf(webhook.id)).status === "failed");
    expect((await t.ctx.db.webhookEndpoint.findUniqueOrThrow({ where: { id: webhook.id } })).status).toBe("enabled");
  });

  test("when a delivery is resent, then the receiver gets the same event again with the same webhook-id", async () => {
    const { ws, webhook, secret, path } = await hooked();
    await makeKey(t.ctx, ws.id);
    const [first] = await receiver.waitFor(path, 1);
    const delivery = await eventually(async () => {
      const d = await attemptsOf(webhook.id);
      return d.status === "succeeded" && d;
    });
    await resendDelivery(t.ctx.webhooks, OPERATOR, delivery.id, CLI);
    const second = (await receiver.waitFor(path, 2))[1];
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(second.body).toBe(first.body);
    expect(verified(second, secret).type).toBe("api_key.created");
  });
});
