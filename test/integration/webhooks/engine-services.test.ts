import { OPERATOR, workspaceScope } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { deleteWebhook } from "../../../src/webhooks/delete-webhook.js";
import { enableWebhook } from "../../../src/webhooks/enable-webhook.js";
import { findWebhook } from "../../../src/webhooks/find-webhook.js";
import { listDeliveries } from "../../../src/webhooks/list-deliveries.js";
import { disabledWebhooks, listWebhooks } from "../../../src/webhooks/list-webhooks.js";
import { resendDelivery } from "../../../src/webhooks/resend-delivery.js";
import { rotateWebhookSecret } from "../../../src/webhooks/rotate-webhook-secret.js";
import { purgeOldWebhookEvents } from "../../../src/webhooks/purge-old-events.js";
import { updateWebhook } from "../../../src/webhooks/update-webhook.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";

// The service rules of the webhooks interface, against the real database (the delivery engine has its own tests).
let t: TestApp;
let wsId: string;
let otherId: string;
const admin = { type: "user" as const, id: "u1", label: "admin@example.test" };
const adminScope = () => workspaceScope([wsId]);
const memberScope = () => workspaceScope([], [wsId]);
const strangerScope = () => workspaceScope([otherId]);
const url = "https://hooks.example.com/in";

beforeAll(async () => {
  t = await startTestApp();
  // The service rules only: nothing is sent from this file (the engine tests send).
  await t.ctx.webhookWorker!.stop();
  const owner = await makeUser(t.ctx);
  wsId = (await makeWorkspace(t.ctx, undefined, [{ userId: owner.id, role: "owner" }])).id;
  otherId = (await makeWorkspace(t.ctx)).id;
});
afterAll(() => t.close());

const create = (events = ["api_key.created"]) => createWebhook(t.ctx.webhooks, adminScope(), wsId, { url, events, description: " Alerts " }, admin);

describe("creating a webhook", () => {
  test("when an admin creates one, then the whsec_ secret is returned once, stored encrypted, and only its hint is shown", async () => {
    const { webhook, secret } = await create(["member.added", "api_key.created"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({ workspace_id: wsId, url, description: "Alerts", events: ["api_key.created", "member.added"], status: "enabled" });
    expect(webhook.secret_hint).toBe(`…${secret.slice(-5, -1)}`);
    expect(JSON.stringify(webhook)).not.toContain(secret.slice(6, 20));
    const row = await t.ctx.db.webhookEndpoint.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(row.secret).not.toContain(secret.slice(6, 20));
    expect(t.ctx.webhooks.secrets.open(row.secret)).toBe(secret);
    expect(await findWebhook(t.ctx.webhooks, adminScope(), webhook.id)).not.toHaveProperty("secret");
    const audit = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.created", targetId: webhook.id } });
    expect(audit.details).not.toContain(secret.slice(6, 20));
  });

  test.each([
    ["http to a public host", { url: "http://hooks.example.com/in", events: ["api_key.created"] }, /https/],
    ["ftp", { url: "ftp://hooks.example.com/in", events: ["api_key.created"] }, /https/],
    ["not a URL", { url: "not a url", events: ["api_key.created"] }, /absolute URL/],
    ["credentials in the URL", { url: "https://user:pw@hooks.example.com/", events: ["api_key.created"] }, /user name or password/],
    ["no events", { url, events: [] }, /at least one/],
    ["an unknown event", { url, events: ["api_key.exploded"] }, /not an event type/],
    ["a long description", { url, events: ["api_key.created"], description: "x".repeat(201) }, /at most 200/],
  ])("when the input has %s, then it is a validation error and nothing is stored", async (_label, input, message) => {
    const before = await t.ctx.db.webhookEndpoint.count();
    await expect(createWebhook(t.ctx.webhooks, adminScope(), wsId, input, admin)).rejects.toMatchObject({ code: "validation_failed", message: expect.stringMatching(message) });
    expect(await t.ctx.db.webhookEndpoint.count()).toBe(before);
  });

  test("when the URL is http on a loopback host, then it is accepted (local development)", async () => {
    const { webhook } = await createWebhook(t.ctx.webhooks, adminScope(), wsId, { url: "http://127.0.0.1:9/x", events: ["api_key.created"] }, admin);
    expect(webhook.url).toBe("http://127.0.0.1:9/x");
    await deleteWebhook(t.ctx.webhooks, adminScope(), webhook.id, admin);
  });

  test("when a member creates one, then 403; a stranger, 404; the operator may", async () => {
    await expect(createWebhook(t.ctx.webhooks, memberScope(), wsId, { url, events: ["api_key.created"] }, admin)).rejects.toMatchObject({ status: 403 });
    await expect(createWebhook(t.ctx.webhooks, strangerScope(), wsId, { url, events: ["api_key.created"] }, admin)).rejects.toMatchObject({ status: 404 });
    await expect(createWebhook(t.ctx.webhooks, OPERATOR, "no-such-workspace", { url, events: ["api_key.created"] }, CLI)).rejects.toMatchObject({ status: 404 });
    const { webhook } = await createWebhook(t.ctx.webhooks, OPERATOR, otherId, { url, events: ["api_key.created"] }, CLI);
    await deleteWebhook(t.ctx.webhooks, OPERATOR, webhook.id, CLI);
  });
});

describe("reading webhooks", () => {
  test("when a member lists or finds them, then they are shown; a stranger gets 404", async () => {
    const { webhook } = await create();
    expect((await listWebhooks(t.ctx.webhooks, memberScope(), wsId)).map((w) => w.id)).toContain(webhook.id);
    expect((await findWebhook(t.ctx.webhooks, memberScope(), webhook.id)).id).toBe(webhook.id);
    await expect(listWebhooks(t.ctx.webhooks, strangerScope(), wsId)).rejects.toMatchObject({ status: 404 });
    await expect(findWebhook(t.ctx.webhooks, strangerScope(), webhook.id)).rejects.toMatchObject({ status: 404 });
    await expect(listDeliveries(t.ctx.webhooks, strangerScope(), webhook.id, { limit: 10 })).rejects.toMatchObject({ status: 404 });
  });
});

describe("changing a webhook", () => {
  test("when an admin updates URL, events and description, then they change and the audit names the fields; a member gets 403, a stranger 404", async () => {
    const { webhook } = await create();
    const updated = await updateWebhook(t.ctx.webhooks, adminScope(), webhook.id, { url: "https://other.example.com/x?token=abc", events: ["api_key.revoked"], description: "" }, admin);
    expect(updated).toMatchObject({ url: "https://other.example.com/x?token=abc", events: ["api_key.revoked"], description: null });
    const audit = await t.ctx.db.auditEvent.findFirstOrThrow({ where: { action: "webhook.updated", targetId: webhook.id } });
    expect(JSON.parse(audit.details!)).toMatchObject({ url: "https://other.example.com/x?…", changed: ["url", "events", "description"] });
    await expect(updateWebhook(t.ctx.webhooks, memberScope(), webhook.id, { description: "x" }, admin)).rejects.toMatchObject({ status: 403 });
    await expect(updateWebhook(t.ctx.webhooks, strangerScope(), webhook.id, { description: "x" }, admin)).rejects.toMatchObject({ status: 404 });
    await expect(updateWebhook(t.ctx.webhooks, adminScope(), webhook.id, { url: "http://x.example.com" }, admin)).rejects.toMatchObject({ status: 422 });
  });

  test("when an admin rotates the secret, then a new one is returned once and the previous one signs alongside for 24 h", async () => {
    const { webhook, secret: first } = await create();
    const rotated = await rotateWebhookSecret(t.ctx.webhooks, adminScope(), webhook.id, admin);
    expect(rotated.secret).not.toBe(first);
    expect(rotated.webhook.secret_hint).toBe(`…${rotated.secret.slice(-5, -1)}`);
    const hours = (Date.parse(rotated.webhook.previous_secret_expires_at!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const row = await t.ctx.db.webhookEndpoint.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(t.ctx.webhooks.secrets.open(row.secret)).toBe(rotated.secret);
    expect(t.ctx.webhooks.secrets.open(row.previousSecret!)).toBe(first);
    await expect(rotateWebhookSecret(t.ctx.webhooks, memberScope(), webhook.id, admin)).rejects.toMatchObject({ status: 403 });
    await expect(rotateWebhookSecret(t.ctx.webhooks, strangerScope(), webhook.id, admin)).rejects.toMatchObject({ status: 404 });
    expect(await t.ctx.db.auditEvent.count({ where: { action: "webhook.secret_rotated", targetId: webhook.id } })).toBe(1);
  });

  test("when a disabled webhook is enabled, then it is enabled, leaves the banner list and the change is audited; a member gets 403", async () => {
    const { webhook } = await create();
    await t.ctx.db.webhookEndpoint.update({ where: { id: webhook.id }, data: { status: "disabled", disabledAt: new Date(), disabledReason: "failing" } });
    expect((await disabledWebhooks(t.ctx.webhooks, memberScope(), wsId)).map((w) => w.id)).toEqual([webhook.id]);
    await expect(enableWebhook(t.ctx.webhooks, memberScope(), webhook.id, admin)).rejects.toMatchObject({ status: 403 });
    await expect(enableWebhook(t.ctx.webhooks, strangerScope(), webhook.id, admin)).rejects.toMatchObject({ status: 404 });
    const enabled = await enableWebhook(t.ctx.webhooks, adminScope(), webhook.id, admin);
    expect(enabled).toMatchObject({ status: "enabled", disabled_at: null, disabled_reason: null });
    expect(await disabledWebhooks(t.ctx.webhooks, adminScope(), wsId)).toEqual([]);
    expect(await t.ctx.db.auditEvent.count({ where: { action: "webhook.enabled", targetId: webhook.id } })).toBe(1);
  });

  test("when an admin deletes one, then it is gone (404 after); a member gets 403, a stranger 404", async () => {
    const { webhook } = await create();
    await expect(deleteWebhook(t.ctx.webhooks, memberScope(), webhook.id, admin)).rejects.toMatchObject({ status: 403 });
    await expect(deleteWebhook(t.ctx.webhooks, strangerScope(), webhook.id, admin)).rejects.toMatchObject({ status: 404 });
    await deleteWebhook(t.ctx.webhooks, adminScope(), webhook.id, admin);
    await expect(findWebhook(t.ctx.webhooks, adminScope(), webhook.id)).rejects.toMatchObject({ status: 404 });
    expect(await t.ctx.db.auditEvent.count({ where: { action: "webhook.deleted", targetId: webhook.id } })).toBe(1);
  });
});

describe("deliveries", () => {
  test("when a subscribed event happens, then a delivery is listed newest first, paged, and can be resent with the same event id", async () => {
    // Its own workspace, so no other webhook of this file takes the events.
    const ws = await makeWorkspace(t.ctx);
    const scope = workspaceScope([ws.id]);
    const { webhook } = await createWebhook(t.ctx.webhooks, scope, ws.id, { url, events: ["api_key.created"] }, admin);
    await makeKey(t.ctx, ws.id);
    await makeKey(t.ctx, ws.id);
    const first = await listDeliveries(t.ctx.webhooks, scope, webhook.id, { limit: 1 });
    expect(first.has_more).toBe(true);
    expect(first.data[0]).toMatchObject({ webhook_id: webhook.id, event_type: "api_key.created", status: "pending", attempts: [] });
    expect(first.data[0].event_id).toMatch(/^msg_/);
    const second = await listDeliveries(t.ctx.webhooks, scope, webhook.id, { limit: 1, startingAfter: first.data[0].id });
    expect(second.has_more).toBe(false);
    expect(second.data[0].id).not.toBe(first.data[0].id);

    await expect(resendDelivery(t.ctx.webhooks, workspaceScope([], [ws.id]), second.data[0].id, admin)).rejects.toMatchObject({ status: 403 });
    await expect(resendDelivery(t.ctx.webhooks, strangerScope(), second.data[0].id, admin)).rejects.toMatchObject({ status: 404 });
    const resent = await resendDelivery(t.ctx.webhooks, scope, second.data[0].id, admin);
    expect(resent).toMatchObject({ event_id: second.data[0].event_id, status: "pending", attempt_count: 0 });
    expect(resent.id).not.toBe(second.data[0].id);
    const all = await listDeliveries(t.ctx.webhooks, scope, webhook.id, { limit: 10 });
    expect(all.data.map((d) => d.id)[0]).toBe(resent.id);
    expect(await t.ctx.db.auditEvent.count({ where: { action: "webhook.delivery_resent", targetId: webhook.id } })).toBe(1);
  });

  test("when the delivery's webhook is disabled, then resend is refused with 409", async () => {
    const ws = await makeWorkspace(t.ctx);
    const scope = workspaceScope([ws.id]);
    const { webhook } = await createWebhook(t.ctx.webhooks, scope, ws.id, { url, events: ["api_key.created"] }, admin);
    await makeKey(t.ctx, ws.id);
    const [delivery] = (await listDeliveries(t.ctx.webhooks, scope, webhook.id, { limit: 1 })).data;
    await t.ctx.db.webhookEndpoint.update({ where: { id: webhook.id }, data: { status: "disabled" } });
    await expect(resendDelivery(t.ctx.webhooks, scope, delivery.id, admin)).rejects.toMatchObject({ status: 409, code: "webhook_disabled" });
  });

  test("when events are older than 30 days, then the purge deletes them with their deliveries and attempts, unless a delivery is pending", async () => {
    const ws = await makeWorkspace(t.ctx);
    const { webhook } = await createWebhook(t.ctx.webhooks, OPERATOR, ws.id, { url, events: ["api_key.created"] }, CLI);
    await makeKey(t.ctx, ws.id);
    await makeKey(t.ctx, ws.id);
    await makeKey(t.ctx, ws.id);
    const [recent, done, pending] = await t.ctx.db.webhookDelivery.findMany({ where: { endpointId: webhook.id }, orderBy: { createdAt: "asc" } });
    const old = new Date(Date.now() - 31 * 86_400_000);
    await t.ctx.db.webhookEvent.updateMany({ where: { id: { in: [done.eventId, pending.eventId] } }, data: { createdAt: old } });
    await t.ctx.db.webhookDelivery.updateMany({ where: { id: { in: [recent.id, done.id] } }, data: { status: "succeeded" } });
    await t.ctx.db.webhookAttempt.create({ data: { deliveryId: done.id, startedAt: old, durationMs: 3, responseStatus: 204, outcome: "succeeded" } });
    expect(await purgeOldWebhookEvents(t.ctx.db)).toBe(1);
    const left = await t.ctx.db.webhookDelivery.findMany({ where: { endpointId: webhook.id } });
    expect(left.map((d) => d.id).sort()).toEqual([recent.id, pending.id].sort());
    expect(await t.ctx.db.webhookAttempt.count({ where: { deliveryId: done.id } })).toBe(0);
  });
});
