import request from "supertest";
import { announceExpiringKeys } from "../../../src/api-keys/announce-expiring-keys.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeKey } from "../../support/fixtures.js";
import { cliJson } from "../../support/cli.js";
import { makeClient } from "../../support/oauth-helpers.js";
import { type Agent, hiddenField, makeWorld, signedIn, tokenFrom } from "../../support/world.js";

let t: TestServer;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestServer();
  w = await makeWorld(t);
});
afterAll(() => t.close());

async function apiClient(user: typeof w.admin): Promise<{ a: Agent; token: string }> {
  const a = await signedIn(t, user);
  return { a, token: (await a.get("/api/csrf-token").expect(200)).body.token as string };
}
const send = (c: { a: Agent; token: string }, method: "post" | "patch", path: string, body: object) =>
  c.a[method](path).set("x-csrf-token", c.token).send(body);
const v1 = (key: string, path = "/v1/workspace") => request(t.app).get(path).set("Authorization", `Bearer ${key}`);

describe("/api/api-keys: scopes, allowlist, edit, rotation with overlap", () => {
  test("when a key is created with scopes and an allowlist, then it shows access custom, its scopes and its canonical list", async () => {
    const c = await apiClient(w.admin);
    const res = await send(c, "post", "/api/api-keys", {
      workspace_id: w.ws.id,
      name: "tags writer",
      scopes: ["tags:write"],
      ip_allowlist: ["127.0.0.1", "10.1.2.3/8"],
    }).expect(201);
    expect(res.body.data.api_key).toMatchObject({ access: "custom", scopes: ["tags:write"], ip_allowlist: ["127.0.0.1", "10.0.0.0/8"] });
    await v1(res.body.data.key).expect(200);
    expect((await v1(res.body.data.key, "/v1/tags")).status).toBe(403);
    const listed = (await c.a.get(`/api/api-keys?workspace=${w.ws.id}`).expect(200)).body.data;
    expect(listed.find((k: { id: string }) => k.id === res.body.data.api_key.id)).toMatchObject({ scopes: ["tags:write"], access: "custom" });
  });

  test("when the allowlist holds a bad entry or access and scopes are both sent, then 422 and nothing is created", async () => {
    const c = await apiClient(w.admin);
    const bad = await send(c, "post", "/api/api-keys", { workspace_id: w.ws.id, name: "bad ip", access: "read_only", ip_allowlist: ["10.0.0.0/33"] }).expect(422);
    expect(bad.body.error.message).toContain("10.0.0.0/33");
    await send(c, "post", "/api/api-keys", { workspace_id: w.ws.id, name: "bad ip", access: "read_only", scopes: ["tags:read"] }).expect(422);
    await send(c, "post", "/api/api-keys", { workspace_id: w.ws.id, name: "bad ip", scopes: [] }).expect(422);
    expect(await t.ctx.db.apiKey.count({ where: { name: "bad ip" } })).toBe(0);
  });

  test("when an admin edits a key's name, scopes and allowlist, then the next request follows and the change is audited; a member's edit is 403", async () => {
    const { key, record } = await makeKey(t.ctx, w.ws.id, "read_only");
    const member = await apiClient(w.member);
    await send(member, "patch", `/api/api-keys/${record.id}`, { name: "taken over" }).expect(403);
    const c = await apiClient(w.admin);
    const res = await send(c, "patch", `/api/api-keys/${record.id}`, { name: "renamed", scopes: ["subscribers:read"], ip_allowlist: ["192.0.2.1"] }).expect(200);
    expect(res.body.data).toMatchObject({ name: "renamed", access: "custom", scopes: ["subscribers:read"], ip_allowlist: ["192.0.2.1"] });
    expect((await v1(key)).body.error.code).toBe("ip_not_allowed");
    await send(c, "patch", `/api/api-keys/${record.id}`, { ip_allowlist: [] }).expect(200);
    await v1(key, "/v1/subscribers").expect(200);
    expect((await v1(key, "/v1/tags")).status).toBe(403);
    const audit = await t.ctx.db.auditEvent.findMany({ where: { targetId: record.id, action: "api_key.updated" }, orderBy: { createdAt: "asc" } });
    expect(JSON.parse(audit[0].details!).changes).toEqual({
      name: { from: record.name, to: "renamed" },
      scopes: { from: ["subscribers:read", "tags:read"], to: ["subscribers:read"] },
      ip_allowlist: { from: [], to: ["192.0.2.1"] },
    });
    await send(c, "patch", `/api/api-keys/${record.id}`, { workspace_id: w.other.id }).expect(422);
    const activity = (await c.a.get(`/api/activity?workspace=${w.ws.id}`).expect(200)).text;
    expect(activity).toContain("Edited API key “renamed”");
  });

  test("when a key is rotated through /api with overlap 24h, then both secrets work and previous_secret_expires_at is a day ahead; a bad overlap is 422", async () => {
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const c = await apiClient(w.admin);
    await send(c, "post", `/api/api-keys/${record.id}/rotate`, { overlap: "2d" }).expect(422);
    const res = await send(c, "post", `/api/api-keys/${record.id}/rotate`, { overlap: "24h" }).expect(200);
    await v1(key).expect(200);
    await v1(res.body.data.key).expect(200);
    expect(Math.abs(Date.parse(res.body.data.api_key.previous_secret_expires_at) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
  });
});

describe("last-used details of authorized apps", () => {
  test("when an app's token is used, then /api/authorized-apps shows the time, client address and user agent of that use", async () => {
    const client = await makeClient(t.ctx, { name: "Last Use App" });
    const { tokens } = await connect({ issuer: t.url, client, user: { email: w.owner.email, password: w.owner.password } });
    await request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${tokens.access_token}`).set("User-Agent", "app-agent/2.1").expect(200);
    const c = await apiClient(w.owner);
    let app: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !app?.last_used_at; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const apps = (await c.a.get("/api/authorized-apps").expect(200)).body.data as Record<string, unknown>[];
      app = apps.find((a) => a.client_id === client.id);
    }
    expect(app).toMatchObject({ last_used_ip: "127.0.0.1", last_used_user_agent: "app-agent/2.1", last_used_at: expect.any(String) });
    const page = await (await signedIn(t, w.owner)).get("/settings/authorized-apps").expect(200);
    expect(page.text).toContain("app-agent/2.1");
  });
});

describe("keys expiring soon", () => {
  test("when a key enters the 7-day window, then one Activity entry is written however often the task runs; a key expiring later gets none", async () => {
    const soon = await makeKey(t.ctx, w.ws.id, "read_only", new Date(Date.now() + 3 * 86_400_000));
    const later = await makeKey(t.ctx, w.ws.id, "read_only", new Date(Date.now() + 30 * 86_400_000));
    await announceExpiringKeys(t.ctx.apiKeys);
    await announceExpiringKeys(t.ctx.apiKeys);
    const entries = (id: string) => t.ctx.db.auditEvent.count({ where: { targetId: id, action: "api_key.expiring_soon" } });
    expect(await entries(soon.record.id)).toBe(1);
    expect(await entries(later.record.id)).toBe(0);
    expect(soon.record.expiring_soon).toBe(true);
    expect(later.record.expiring_soon).toBe(false);
  });

  test("when the API Keys page lists a key expiring within 7 days, then it carries a badge and the page a banner; without one, neither", async () => {
    const a = await signedIn(t, w.stranger);
    const quiet = (await a.get("/settings/api-keys").expect(200)).text;
    expect(quiet).not.toContain('data-banner="expiring-soon"');
    await makeKey(t.ctx, w.other.id, "read_only", new Date(Date.now() + 2 * 86_400_000));
    const page = (await a.get("/settings/api-keys").expect(200)).text;
    expect(page).toContain('data-banner="expiring-soon"');
    expect(page).toContain("Expires soon");
  });
});

describe("the API Keys page", () => {
  test("when a Custom key is generated from the form, then it carries exactly the checked permissions, shown in words", async () => {
    const a = await signedIn(t, w.admin);
    const form = (await a.get("/settings/api-keys/new").expect(200)).text;
    expect(form).toContain("Add, change and delete subscribers");
    const res = await a
      .post("/settings/api-keys")
      .type("form")
      .send({
        _csrf: hiddenField(form, "_csrf"),
        form_token: hiddenField(form, "form_token"),
        workspace_id: w.ws.id,
        name: "form custom",
        access: "custom",
        scopes: ["tags:read", "subscribers:write"],
        ip_allowlist: "",
        expiration: "30",
      })
      .expect(200);
    expect(res.text).toContain("Custom: Add, change and delete subscribers, Read tags");
    const row = await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: "form custom" } });
    expect(row.scopes).toBe("subscribers:write tags:read");
  });

  test("when Custom is chosen with no box checked, then the form is shown again with the problem and no key is made", async () => {
    const a = await signedIn(t, w.admin);
    const form = (await a.get("/settings/api-keys/new").expect(200)).text;
    const res = await a
      .post("/settings/api-keys")
      .type("form")
      .send({ _csrf: hiddenField(form, "_csrf"), form_token: hiddenField(form, "form_token"), workspace_id: w.ws.id, name: "no boxes", access: "custom", expiration: "30" })
      .expect(422);
    expect(res.text).toContain("Choose at least one permission.");
    expect(await t.ctx.db.apiKey.count({ where: { name: "no boxes" } })).toBe(0);
  });

  test("when a key is edited in Settings, then its new allowlist applies at once; a member cannot open the edit form", async () => {
    const { key, record } = await makeKey(t.ctx, w.ws.id, "read_only");
    await (await signedIn(t, w.member)).get(`/settings/api-keys/${record.id}/edit`).expect(403);
    const a = await signedIn(t, w.admin);
    const csrf = await tokenFrom(a, `/settings/api-keys/${record.id}/edit`);
    await a
      .post(`/settings/api-keys/${record.id}/edit`)
      .type("form")
      .send({ _csrf: csrf, name: "edited in settings", access: "read_only", ip_allowlist: "192.0.2.200" })
      .expect(303);
    expect((await v1(key)).status).toBe(403);
    const bad = await a.post(`/settings/api-keys/${record.id}/edit`).type("form").send({ _csrf: csrf, name: "x", access: "read_only", ip_allowlist: "nope" }).expect(422);
    expect(bad.text).toContain("not a valid IP address");
  });

  test("when a key is rotated from its confirmation with 'In 7 days', then the list says the previous secret expires in 6 days", async () => {
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const a = await signedIn(t, w.admin);
    const confirm = (await a.get(`/settings/api-keys/${record.id}/rotate`).expect(200)).text;
    expect(confirm).toContain("Old secret stops working");
    await a
      .post(`/settings/api-keys/${record.id}/rotate`)
      .type("form")
      .send({ _csrf: hiddenField(confirm, "_csrf"), rotated_at: "", overlap: "7d" })
      .expect(200);
    await v1(key).expect(200);
    expect((await a.get("/settings/api-keys").expect(200)).text).toContain("Previous secret expires in 6 days");
  });
});

describe("the key commands", () => {
  test("when a key is updated and rotated with an overlap from the command line, then both show in the JSON and on /v1", async () => {
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const databaseUrl = t.config.databaseUrl;
    const updated = await cliJson(["key", "update", "--id", record.id, "--scopes", "tags:read,tags:write", "--allow-ip", "127.0.0.1,::1"], { databaseUrl });
    expect(updated).toMatchObject({ access: "custom", scopes: ["tags:read", "tags:write"], ip_allowlist: ["127.0.0.1", "::1"] });
    const rotated = await cliJson(["key", "rotate", "--id", record.id, "--overlap", "1h"], { databaseUrl });
    expect(rotated).toMatchObject({ scopes: ["tags:read", "tags:write"], previous_secret_expires_at: expect.any(String) });
    // The server hears both changes through the change log (polled every 100 ms here).
    await new Promise((r) => setTimeout(r, 400));
    await v1(key, "/v1/tags").expect(200);
    await v1(rotated.key as string, "/v1/tags").expect(200);
    expect((await v1(rotated.key as string, "/v1/subscribers")).status).toBe(403);
  });
});
