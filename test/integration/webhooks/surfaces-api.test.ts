import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { createWebhook } from "../../../src/webhooks/create-webhook.js";
import { deleteWebhook } from "../../../src/webhooks/delete-webhook.js";
import { type Agent, makeWorld, signedIn } from "../../support/world.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

type Client = { a: Agent; token: string };
type User = typeof w.admin;

/** A signed-in script: its agent and the CSRF token from GET /api/csrf-token. */
async function apiClient(user: User): Promise<Client> {
  const a = await signedIn(t, user);
  return { a, token: (await a.get("/api/csrf-token").expect(200)).body.token as string };
}
const send = (c: Client, method: "post" | "patch" | "delete", path: string, body: object = {}) => c.a[method](path).set("x-csrf-token", c.token).send(body);

const RECEIVER = "https://hooks.example.test/workspace-auth";

/** An endpoint the admin adds through /api; returns the response body's data. */
async function addEndpoint(c: Client, body: object = {}) {
  const res = await send(c, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created", "member.added"], ...body }).expect(201);
  return res.body.data as { secret: string; webhook: { id: string; secret_hint: string; previous_secret_expires_at: string | null } };
}

describe("/api/webhooks: adding, reading, changing", () => {
  test("when an admin adds an endpoint, then the whsec_ secret comes back once and no later GET carries it", async () => {
    const admin = await apiClient(w.admin);
    const created = await addEndpoint(admin, { description: "SIEM" });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created", "member.added"], status: "enabled", description: "SIEM" });
    expect(created.webhook.secret_hint.replace(/^…/, "")).toBe(created.secret.slice(-5, -1));
    const one = await admin.a.get(`/api/webhooks/${created.webhook.id}`).expect(200);
    const list = await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200);
    expect(list.body.data.map((h: { id: string }) => h.id)).toContain(created.webhook.id);
    for (const text of [one.text, list.text]) expect(text).not.toContain(created.secret);
    expect(t.logs.text).not.toContain(created.secret);
  });

  test("when a member reads, then they see the endpoints; when they add, change, rotate, enable or delete, then 403 and nothing changes", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const member = await apiClient(w.member);
    expect((await member.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.map((h: { id: string }) => h.id)).toContain(webhook.id);
    await member.a.get(`/api/webhooks/${webhook.id}`).expect(200);
    const refusals = [
      await send(member, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"] }),
      await send(member, "patch", `/api/webhooks/${webhook.id}`, { url: "https://attacker.example.test/" }),
      await send(member, "post", `/api/webhooks/${webhook.id}/rotate-secret`),
      await send(member, "post", `/api/webhooks/${webhook.id}/enable`),
      await send(member, "delete", `/api/webhooks/${webhook.id}`),
    ];
    for (const res of refusals) expect([res.status, res.body.error?.code]).toEqual([403, "forbidden"]);
    expect((await admin.a.get(`/api/webhooks/${webhook.id}`).expect(200)).body.data).toMatchObject({ url: RECEIVER, secret_hint: webhook.secret_hint });
  });

  test("when someone outside the workspace names its endpoint or the workspace, then 404 as for a missing one", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const stranger = await apiClient(w.stranger);
    const answers = [
      await stranger.a.get(`/api/webhooks/${webhook.id}`),
      await stranger.a.get(`/api/webhooks?workspace=${w.ws.id}`),
      await stranger.a.get(`/api/webhooks/${webhook.id}/deliveries`),
      await send(stranger, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"] }),
      await send(stranger, "patch", `/api/webhooks/${webhook.id}`, { url: "https://attacker.example.test/" }),
      await send(stranger, "post", `/api/webhooks/${webhook.id}/rotate-secret`),
      await send(stranger, "delete", `/api/webhooks/${webhook.id}`),
    ];
    for (const res of answers) expect([res.status, res.body.error?.code]).toEqual([404, "not_found"]);
    expect((await stranger.a.get("/api/webhooks").expect(200)).body.data).toEqual([]);
    await admin.a.get(`/api/webhooks/${webhook.id}`).expect(200);
  });

  test("when the URL is not https (nor http on loopback) or not a URL, or the events are unknown or none, then 422 naming the problem and nothing is added", async () => {
    const admin = await apiClient(w.admin);
    const before = (await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.length;
    for (const url of ["http://hooks.example.test/x", "ftp://hooks.example.test/x", "not a url", "https://"]) {
      const res = await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url, events: ["api_key.created"] });
      // Bad input is 422 validation_failed throughout this API (the "400" is the family, not the code).
      expect([res.status, res.body.error?.code]).toEqual([422, "validation_failed"]);
      expect(res.body.error.message).toContain("url");
    }
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.eaten"] }).expect(422);
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: [] }).expect(422);
    await send(admin, "post", "/api/webhooks", { workspace_id: w.ws.id, url: RECEIVER, events: ["api_key.created"], secret: "whsec_mine" }).expect(422);
    expect((await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data.length).toBe(before);
  });

  test("when a workspace already has 20 endpoints, then adding one more is 409 too_many_webhooks", async () => {
    const stranger = await apiClient(w.stranger);
    for (let i = 0; i < 20; i++) {
      await createWebhook(t.ctx.webhooks, OPERATOR, w.other.id, { url: `https://many.example.test/${i}`, events: ["member.added"] }, CLI);
    }
    const res = await send(stranger, "post", "/api/webhooks", { workspace_id: w.other.id, url: RECEIVER, events: ["member.added"] }).expect(409);
    expect(res.body.error.code).toBe("too_many_webhooks");
    await Promise.all(
      ((await stranger.a.get(`/api/webhooks?workspace=${w.other.id}`).expect(200)).body.data as { id: string }[]).map((h) => deleteWebhook(t.ctx.webhooks, OPERATOR, h.id, CLI)),
    );
  });

  test("when a POST lacks the CSRF header, or nobody is signed in, then 403 invalid_csrf_token / 401 and nothing is added", async () => {
    const admin = await apiClient(w.admin);
    const body = { workspace_id: w.ws.id, url: "https://csrf.example.test/", events: ["api_key.created"] };
    expect((await admin.a.post("/api/webhooks").send(body).expect(403)).body.error.code).toBe("invalid_csrf_token");
    expect((await request(t.app).post("/api/webhooks").send(body).expect(401)).body.error.code).toBe("missing_credentials");
    await request(t.app).get("/api/webhooks").expect(401);
    const { webhook } = await addEndpoint(admin);
    expect((await admin.a.delete(`/api/webhooks/${webhook.id}`).expect(403)).body.error.code).toBe("invalid_csrf_token");
    const list = (await admin.a.get(`/api/webhooks?workspace=${w.ws.id}`).expect(200)).body.data as { url: string; id: string }[];
    expect(list.some((h) => h.url === body.url)).toBe(false);
    expect(list.some((h) => h.id === webhook.id)).toBe(true);
  });

  test("when an admin changes an endpoint, then URL, events and description follow and the secret stays; an empty change is 422", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    const res = await send(admin, "patch", `/api/webhooks/${webhook.id}`, { url: "https://other.example.test/in", events: ["api_key.revoked"], description: "renamed" }).expect(200);
    expect(res.body.data).toMatchObject({ url: "https://other.example.test/in", events: ["api_key.revoked"], description: "renamed", secret_hint: webhook.secret_hint });
    await send(admin, "patch", `/api/webhooks/${webhook.id}`, {}).expect(422);
    await send(admin, "patch", `/api/webhooks/${webhook.id}`, { workspace_id: w.other.id }).expect(422);
  });

  test("when the secret is rotated, then a new one comes back once, the old one signs for 24 h more, and GET shows neither", async () => {
    const admin = await apiClient(w.admin);
    const created = await addEndpoint(admin);
    const res = await send(admin, "post", `/api/webhooks/${created.webhook.id}/rotate-secret`).expect(200);
    const rotated = res.body.data as { secret: string; webhook: { secret_hint: string; previous_secret_expires_at: string } };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.webhook.secret_hint.replace(/^…/, "")).toBe(rotated.secret.slice(-5, -1));
    expect(Math.abs(Date.parse(rotated.webhook.previous_secret_expires_at) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    const text = (await admin.a.get(`/api/webhooks/${created.webhook.id}`).expect(200)).text;
    expect(text).not.toContain(rotated.secret);
    expect(text).not.toContain(created.secret);
  });

  test("when an admin deletes an endpoint, then 204 and it is gone (404 after)", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    await send(admin, "delete", `/api/webhooks/${webhook.id}`).expect(204);
    await admin.a.get(`/api/webhooks/${webhook.id}`).expect(404);
    await send(admin, "delete", `/api/webhooks/${webhook.id}`).expect(404);
  });

  test("when the deliveries query is bad, then 422 names the field", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin);
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?limit=0`).expect(422)).body.error.message).toContain("limit");
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?cursor=a/b`).expect(422)).body.error.message).toContain("cursor");
    expect((await admin.a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200)).body).toMatchObject({ data: expect.any(Array), has_more: false, next_cursor: null });
  });
});

describe("/api/webhooks: deliveries, resend, enable", () => {
  test("when keys are created, then the endpoint's deliveries list their events newest first, page by page", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin, { events: ["api_key.created"] });
    const first = await makeKey(t.ctx, w.ws.id);
    const second = await makeKey(t.ctx, w.ws.id);
    const page1 = (await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?limit=1`).expect(200)).body;
    expect(page1).toMatchObject({ has_more: true, next_cursor: page1.data[0].id });
    expect(page1.data[0]).toMatchObject({ webhook_id: webhook.id, event_type: "api_key.created", event_id: expect.stringMatching(/^msg_/), attempts: expect.any(Array) });
    const page2 = (await admin.a.get(`/api/webhooks/${webhook.id}/deliveries?limit=1&cursor=${page1.next_cursor}`).expect(200)).body;
    expect(page2.data[0].id).not.toBe(page1.data[0].id);
    const events = await t.ctx.db.webhookEvent.findMany({ where: { id: { in: [page1.data[0].event_id, page2.data[0].event_id] } } });
    expect(events.map((e) => JSON.parse(e.payload).data.object.id).sort()).toEqual([first.record.id, second.record.id].sort());
    // A member reads them too.
    await (await apiClient(w.member)).a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200);
  });

  test("when an admin resends a delivery, then 202 and a new delivery of the same event id; a member's resend is 403, a stranger's 404", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin, { events: ["api_key.created"] });
    await makeKey(t.ctx, w.ws.id);
    const [delivery] = (await admin.a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200)).body.data;
    expect((await send(await apiClient(w.member), "post", `/api/webhook-deliveries/${delivery.id}/resend`).expect(403)).body.error.code).toBe("forbidden");
    expect((await send(await apiClient(w.stranger), "post", `/api/webhook-deliveries/${delivery.id}/resend`).expect(404)).body.error.code).toBe("not_found");
    await send(admin, "post", `/api/webhook-deliveries/${delivery.id}/resend`, { now: true }).expect(422);
    const res = await send(admin, "post", `/api/webhook-deliveries/${delivery.id}/resend`).expect(202);
    expect(res.body.data).toMatchObject({ webhook_id: webhook.id, event_id: delivery.event_id, event_type: "api_key.created", status: "pending" });
    expect(res.body.data.id).not.toBe(delivery.id);
    const listed = (await admin.a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200)).body.data as { id: string; event_id: string }[];
    expect(listed.filter((d) => d.event_id === delivery.event_id)).toHaveLength(2);
  });

  test("when an endpoint is disabled, then resend is 409 until an admin enables it (a member's enable is 403)", async () => {
    const admin = await apiClient(w.admin);
    const { webhook } = await addEndpoint(admin, { events: ["api_key.created"] });
    await makeKey(t.ctx, w.ws.id);
    const [delivery] = (await admin.a.get(`/api/webhooks/${webhook.id}/deliveries`).expect(200)).body.data;
    // What the delivery worker does after repeated failures (covered by the engine's own tests).
    await t.ctx.db.webhookEndpoint.update({ where: { id: webhook.id }, data: { status: "disabled", disabledAt: new Date(), disabledReason: "5 attempts failed" } });
    expect((await admin.a.get(`/api/webhooks/${webhook.id}`).expect(200)).body.data).toMatchObject({ status: "disabled", disabled_reason: "5 attempts failed" });
    expect((await send(admin, "post", `/api/webhook-deliveries/${delivery.id}/resend`).expect(409)).body.error.code).toBe("webhook_disabled");
    await send(await apiClient(w.member), "post", `/api/webhooks/${webhook.id}/enable`).expect(403);
    const enabled = await send(admin, "post", `/api/webhooks/${webhook.id}/enable`).expect(200);
    expect(enabled.body.data).toMatchObject({ status: "enabled", disabled_at: null, disabled_reason: null });
    await send(admin, "post", `/api/webhook-deliveries/${delivery.id}/resend`).expect(202);
  });
});
