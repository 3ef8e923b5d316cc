import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { type Agent, hiddenField, makeWorld, signedIn, tokenFrom } from "../../support/world.js";
import { WEBHOOK_EVENT_TYPES } from "../../../src/webhook-outbox/webhook-events.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
let admin: Agent;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  admin = await signedIn(t, w.admin);
});
afterAll(() => t.close());

const list = `/settings/webhooks?workspace=`;

/** The secret shown on a "Save Your Signing Secret" dialog, if any. */
const shownSecret = (html: string) => /id="signing-secret"[^>]*value="(whsec_[^"]+)"/.exec(html)?.[1] ?? null;

/** Adds an endpoint through the form as the admin; returns the page and the endpoint's id. */
async function addThroughForm(fields: Record<string, string | string[]>, status = 201) {
  const form = (await admin.get(`/settings/webhooks/new?workspace=${w.ws.id}`).expect(200)).text;
  const res = await admin
    .post("/settings/webhooks")
    .type("form")
    .send({ _csrf: hiddenField(form, "_csrf"), workspace_id: w.ws.id, ...fields });
  expect(res.status).toBe(status);
  return res;
}

async function endpointIdByUrl(url: string): Promise<string> {
  const page = (await admin.get(`${list}${w.ws.id}`).expect(200)).text;
  const match = new RegExp(`data-webhook-id="([^"]+)">\\s*<td data-label="Endpoint" class="strong"><a class="url" href="[^"]+">${url.replace(/[.?]/g, "\\$&")}</a>`).exec(page);
  if (!match) throw new Error(`no endpoint ${url} on the page`);
  return match[1];
}

describe("Settings → Webhooks", () => {
  test("when an admin adds an endpoint with two events, then the secret is shown once with a copy hint and the list never shows it again", async () => {
    const res = await addThroughForm({ url: "https://siem.example.test/in", description: "Security alerts", events: ["api_key.revoked", "credential.reported_leaked"] });
    const secret = shownSecret(res.text);
    expect(secret).toMatch(/^whsec_/);
    expect(res.text).toContain("will not be shown again");
    expect(res.text).toContain('data-copy="signing-secret"');
    const page = (await admin.get(`${list}${w.ws.id}`).expect(200)).text;
    expect(page).toContain("https://siem.example.test/in");
    expect(page).toContain("Security alerts");
    expect(page).toContain(`…${secret!.slice(-5, -1)}`);
    expect(page).not.toContain(secret!);
  });

  test("when All events is ticked (without JavaScript), then the endpoint gets every event type; with no event ticked, the form comes back with the problem", async () => {
    await addThroughForm({ url: "https://all.example.test/in", all_events: "1" });
    const id = await endpointIdByUrl("https://all.example.test/in");
    const webhook = (await admin.get(`/settings/webhooks/${id}`).expect(200)).text;
    for (const type of WEBHOOK_EVENT_TYPES) expect(webhook).toContain(`<code class="muted">${type}</code>`);
    const none = await addThroughForm({ url: "https://none.example.test/in" }, 422);
    expect(none.text).toContain("Choose at least one event to send.");
    expect(none.text).toContain('value="https://none.example.test/in"');
    const insecure = await addThroughForm({ url: "http://plain.example.test/in", events: "member.added" }, 422);
    expect(insecure.text).toContain('role="alert"');
    expect((await admin.get(`${list}${w.ws.id}`).expect(200)).text).not.toContain("plain.example.test");
  });

  test("when a member opens the tab, then they see the endpoints read-only; their add, edit, rotate and delete are refused", async () => {
    await addThroughForm({ url: "https://member-view.example.test/in", events: "member.added" });
    const id = await endpointIdByUrl("https://member-view.example.test/in");
    const member = await signedIn(t, w.member);
    const page = (await member.get(`${list}${w.ws.id}`).expect(200)).text;
    expect(page).toContain("https://member-view.example.test/in");
    expect(page).toContain("only its owners and admins can change them");
    expect(page).not.toContain("Add endpoint");
    expect(page).not.toContain("Rotate secret");
    await member.get(`/settings/webhooks/new?workspace=${w.ws.id}`).expect(403);
    await member.get(`/settings/webhooks/${id}/edit`).expect(403);
    await member.get(`/settings/webhooks/${id}/rotate`).expect(403);
    const csrf = await tokenFrom(member, `${list}${w.ws.id}`);
    await member.post("/settings/webhooks").type("form").send({ _csrf: csrf, workspace_id: w.ws.id, url: "https://x.example.test/", events: "member.added" }).expect(403);
    await member.post(`/settings/webhooks/${id}/delete`).type("form").send({ _csrf: csrf }).expect(403);
    await member.post(`/settings/webhooks/${id}/rotate`).type("form").send({ _csrf: csrf }).expect(403);
    const endpoint = (await member.get(`/settings/webhooks/${id}`).expect(200)).text;
    expect(endpoint).not.toContain("Resend</button>");
    const stranger = await signedIn(t, w.stranger);
    await stranger.get(`/settings/webhooks/${id}`).expect(404);
    await stranger.get(`${list}${w.ws.id}`).expect(404);
  });

  test("when a form is posted without its CSRF token, then 403 and nothing is added", async () => {
    await admin.post("/settings/webhooks").type("form").send({ workspace_id: w.ws.id, url: "https://no-csrf.example.test/", events: "member.added" }).expect(403);
    expect((await admin.get(`${list}${w.ws.id}`).expect(200)).text).not.toContain("no-csrf.example.test");
  });

  test("when an admin edits an endpoint, then the list shows the new URL and events", async () => {
    await addThroughForm({ url: "https://before.example.test/in", events: "member.added" });
    const id = await endpointIdByUrl("https://before.example.test/in");
    const form = (await admin.get(`/settings/webhooks/${id}/edit`).expect(200)).text;
    expect(form).toContain('value="https://before.example.test/in"');
    await admin
      .post(`/settings/webhooks/${id}/edit`)
      .type("form")
      .send({ _csrf: hiddenField(form, "_csrf"), url: "https://after.example.test/in", description: "", events: ["member.removed"] })
      .expect(303);
    const page = (await admin.get(`${list}${w.ws.id}&notice=updated`).expect(200)).text;
    expect(page).toContain("https://after.example.test/in");
    expect(page).toContain("The endpoint was updated.");
  });

  test("when the secret is rotated from its confirmation page, then the page says the old one signs for 24 hours and shows the new one once", async () => {
    const res = await addThroughForm({ url: "https://rotate.example.test/in", events: "member.added" });
    const first = shownSecret(res.text)!;
    const id = await endpointIdByUrl("https://rotate.example.test/in");
    const confirm = (await admin.get(`/settings/webhooks/${id}/rotate`).expect(200)).text;
    expect(confirm).toContain("the old secret keeps signing alongside the new one");
    expect(confirm).toContain("24 hours");
    const rotated = (await admin.post(`/settings/webhooks/${id}/rotate`).type("form").send({ _csrf: hiddenField(confirm, "_csrf") }).expect(200)).text;
    const second = shownSecret(rotated);
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(rotated).toContain("The old secret keeps signing alongside it until");
    const endpoint = (await admin.get(`/settings/webhooks/${id}`).expect(200)).text;
    expect(endpoint).not.toContain(second!);
    expect(endpoint).toContain("old secret signs too until");
  });

  test("when an endpoint is deleted from its confirmation page, then it leaves the list", async () => {
    await addThroughForm({ url: "https://delete-me.example.test/in", events: "member.added" });
    const id = await endpointIdByUrl("https://delete-me.example.test/in");
    const confirm = (await admin.get(`/settings/webhooks/${id}/delete`).expect(200)).text;
    expect(confirm).toContain("This cannot be undone.");
    await admin.post(`/settings/webhooks/${id}/delete`).type("form").send({ _csrf: hiddenField(confirm, "_csrf") }).expect(303);
    expect((await admin.get(`${list}${w.ws.id}`).expect(200)).text).not.toContain("delete-me.example.test");
    await admin.get(`/settings/webhooks/${id}`).expect(404);
  });

  test("when the Settings pages render, then the navigation has a Webhooks tab", async () => {
    const page = (await admin.get("/settings/api-keys").expect(200)).text;
    expect(page).toContain('<a href="/settings/webhooks"');
  });

  test("when a key is created, then the endpoint page lists the delivery; Resend queues the same event again and says so", async () => {
    await addThroughForm({ url: "https://deliveries.example.test/in", events: "api_key.created" });
    const id = await endpointIdByUrl("https://deliveries.example.test/in");
    await makeKey(t.ctx, w.ws.id);
    const page = (await admin.get(`/settings/webhooks/${id}`).expect(200)).text;
    const deliveryId = /data-delivery-id="([^"]+)"/.exec(page)![1];
    const eventId = /<code>(msg_[^<]+)<\/code>/.exec(page)![1];
    expect(page).toContain("api_key.created");
    const member = await signedIn(t, w.member);
    const memberCsrf = await tokenFrom(member, `/settings/webhooks/${id}`);
    await member.post(`/settings/webhooks/deliveries/${deliveryId}/resend`).type("form").send({ _csrf: memberCsrf }).expect(403);
    const res = await admin.post(`/settings/webhooks/deliveries/${deliveryId}/resend`).type("form").send({ _csrf: hiddenField(page, "_csrf") }).expect(303);
    const after = (await admin.get(res.headers.location).expect(200)).text;
    expect(after).toContain("The event was queued again, with the same webhook-id.");
    expect(after.match(/data-delivery-id=/g)).toHaveLength(2);
    expect(after.split(eventId).length - 1).toBeGreaterThanOrEqual(2);
  });

  test("when an endpoint is disabled, then its workspace's owners and admins see the banner on every Settings page, linking to it; members and others do not; Enable removes it", async () => {
    await addThroughForm({ url: "https://broken.example.test/in", events: "member.added" });
    const id = await endpointIdByUrl("https://broken.example.test/in");
    // What the delivery worker does after repeated failures (covered by the engine's own tests).
    await t.ctx.db.webhookEndpoint.update({ where: { id }, data: { status: "disabled", disabledAt: new Date(), disabledReason: "A delivery failed after 8 attempts." } });
    const owner = await signedIn(t, w.owner);
    for (const path of ["/settings/api-keys", "/settings/activity", "/settings/members", "/settings/account", `/settings/members/invitations?workspace=${w.ws.id}`]) {
      const page = (await owner.get(path).expect(200)).text;
      expect(page).toContain('data-banner="webhook-disabled"');
      expect(page).toContain("https://broken.example.test/in");
      expect(page).toContain(`href="/settings/webhooks/${id}">Review</a>`);
    }
    for (const other of [w.member, w.stranger]) {
      expect((await (await signedIn(t, other)).get("/settings/api-keys").expect(200)).text).not.toContain('data-banner="webhook-disabled"');
    }
    const endpoint = (await admin.get(`/settings/webhooks/${id}`).expect(200)).text;
    expect(endpoint).toContain("This endpoint is disabled");
    expect(endpoint).toContain("A delivery failed after 8 attempts.");
    await admin.post(`/settings/webhooks/${id}/enable`).type("form").send({ _csrf: hiddenField(endpoint, "_csrf") }).expect(303);
    expect((await owner.get("/settings/api-keys").expect(200)).text).not.toContain('data-banner="webhook-disabled"');
  });
});
