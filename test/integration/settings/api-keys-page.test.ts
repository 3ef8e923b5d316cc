import request from "supertest";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeKey } from "../../support/fixtures.js";
import { type Agent, hiddenField, makeWorld, shownKey, signedIn, tokenFrom } from "../../support/world.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

const v1 = (key: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${key}`);

/** Opens the "Generate API Key" form page and returns its hidden fields. */
async function openForm(a: Agent) {
  const page = await a.get("/settings/api-keys/new").expect(200);
  return { _csrf: hiddenField(page.text, "_csrf"), form_token: hiddenField(page.text, "form_token") };
}

/** Submits a fresh "Generate API Key" form and expects `status`. */
async function generate(a: Agent, fields: Record<string, string>, status = 200) {
  const form = await openForm(a);
  return a
    .post("/settings/api-keys")
    .type("form")
    .send({ ...form, access: "read_write", expiration: "30", expires_on: "", ...fields })
    .expect(status);
}

const keyCount = (workspaceId: string) => t.ctx.db.apiKey.count({ where: { workspaceId } });

describe("Settings layout and access", () => {
  test("when nobody is signed in, then the page sends them to sign in and back", async () => {
    const res = await request(t.app).get("/settings/api-keys?q=x").expect(303);
    expect(res.headers.location).toBe(`/login?return_to=${encodeURIComponent("/settings/api-keys?q=x")}`);
  });

  test("when /settings is opened, then it redirects to the API Keys tab", async () => {
    const a = await signedIn(t, w.admin);
    expect((await a.get("/settings").expect(303)).headers.location).toBe("/settings/api-keys");
  });

  test("when a Settings page is served, then it cannot be framed, cached or leak its URL", async () => {
    const a = await signedIn(t, w.admin);
    for (const path of ["/settings/api-keys", "/settings/activity", "/settings/api-keys/new"]) {
      const res = await a.get(path).expect(200);
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
    }
  });

  test("when the page renders, then it shows the product, the signed-in email, a Sign out form and the three tabs", async () => {
    const a = await signedIn(t, w.admin);
    const html = (await a.get("/settings/api-keys").expect(200)).text;
    expect(html).toContain("Workspace Auth");
    expect(html).toContain(w.admin.email);
    expect(html).toMatch(/<form method="post" action="\/logout">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button[^>]*>Sign out<\/button>/);
    expect(html).toContain('<a href="/settings/api-keys" aria-current="page">API Keys</a>');
    expect(html).toContain('<a href="/settings/authorized-apps">Authorized Apps</a>');
    expect(html).toContain('<a href="/settings/activity">Activity</a>');
    expect(html).not.toMatch(/<script>|on(click|submit|load)=/);
  });

  test("when signing out through the header form, then the session ends but keys keep working", async () => {
    const a = await signedIn(t, w.owner);
    const { key } = await makeKey(t.ctx, w.ws.id);
    const _csrf = await tokenFrom(a);
    await a.post("/logout").type("form").send({ _csrf }).expect(303);
    expect((await a.get("/settings/api-keys").expect(303)).headers.location).toMatch(/^\/login/);
    await v1(key).expect(200);
  });
});

describe("API Keys tab: listing and search", () => {
  test("when an admin opens the tab, then keys of the workspaces they administer are listed with every column", async () => {
    const mine = await makeKey(t.ctx, w.ws.id, "read_only");
    const theirs = await makeKey(t.ctx, w.other.id);
    const html = (await (await signedIn(t, w.admin)).get("/settings/api-keys").expect(200)).text;
    for (const header of ["Name", "Workspace", "Access level", "Owner", "Key", "Created", "Last used", "Expires", "Status"]) {
      expect(html).toContain(`<th scope="col">${header}</th>`);
    }
    expect(html).toContain(mine.record.name);
    expect(html).toContain(`${mine.record.prefix}…`);
    expect(html).toContain("Read Only");
    expect(html).toContain(w.ws.name);
    expect(html).not.toContain(theirs.record.name);
    expect(html).not.toContain(theirs.record.prefix);
  });

  test("when a search is typed, then it filters by name, owner, workspace or display prefix", async () => {
    const a = await signedIn(t, w.owner);
    const created = await generate(a, { workspace_id: w.ws.id, name: "Zapier sync" });
    const prefix = shownKey(created.text)!.slice(0, 12);
    const other = await makeKey(t.ctx, w.ws.id);
    const page = await a.get("/settings/api-keys").expect(200);
    expect(page.text).toContain('<label for="key-search" class="visually-hidden">Search API keys</label>');
    for (const q of ["zapier", w.owner.email.toUpperCase(), prefix]) {
      const html = (await a.get(`/settings/api-keys?q=${encodeURIComponent(q)}`).expect(200)).text;
      expect(html).toContain("Zapier sync");
      expect(html).not.toContain(other.record.name);
    }
    const byWorkspace = (await a.get(`/settings/api-keys?q=${encodeURIComponent(w.ws.name)}`).expect(200)).text;
    expect(byWorkspace).toContain(other.record.name);
    const none = (await a.get("/settings/api-keys?q=nothing-matches-this").expect(200)).text;
    expect(none).toContain("No API keys match “nothing-matches-this”.");
  });

  test("when a member opens the tab, then they see an explanation and no keys", async () => {
    const { record } = await makeKey(t.ctx, w.ws.id);
    const html = (await (await signedIn(t, w.member)).get("/settings/api-keys").expect(200)).text;
    expect(html).toContain("Only workspace owners and admins can manage API keys");
    expect(html).toContain(`You are a member of ${w.ws.name}`);
    expect(html).not.toContain(record.name);
    expect(html).not.toContain("Generate API Key</a>");
  });
});

describe("API Keys tab: generating a key", () => {
  test("when an admin generates a key, then the full key is shown once, uncached, and works on /v1", async () => {
    const a = await signedIn(t, w.admin);
    const res = await generate(a, { workspace_id: w.ws.id, name: "Deploy bot" });
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.text).toContain("Save Your API Key");
    expect(res.text).toContain("This key will not be shown again.");
    expect(res.text).toMatch(/<button type="button" class="secondary" data-copy="new-key" hidden>Copy<\/button>/);
    const key = shownKey(res.text)!;
    expect(key).toMatch(/^mrk_/);
    expect((await v1(key).expect(200)).body.data.id).toBe(w.ws.id);
    const row = await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: "Deploy bot" } });
    expect(row).toMatchObject({ access: "read_write", createdById: w.admin.id, workspaceId: w.ws.id });
    const list = (await a.get("/settings/api-keys").expect(200)).text;
    expect(list).toContain("Deploy bot");
    expect(list).not.toContain(key);
  });

  test("when the same form is submitted twice (double click or reload), then one key exists and the secret is not shown again", async () => {
    const a = await signedIn(t, w.owner);
    const form = await openForm(a);
    const fields = { ...form, workspace_id: w.ws.id, name: "Twice", access: "read_only", expiration: "never", expires_on: "" };
    const first = await a.post("/settings/api-keys").type("form").send(fields).expect(200);
    const second = await a.post("/settings/api-keys").type("form").send(fields).expect(200);
    expect(shownKey(first.text)).toMatch(/^mrk_/);
    expect(shownKey(second.text)).toBeNull();
    expect(second.text).toContain("Key already created");
    expect(second.text).not.toContain(shownKey(first.text)!);
    expect(await t.ctx.db.apiKey.count({ where: { name: "Twice" } })).toBe(1);
  });

  test("when the same form is submitted again with other values, then 422 with the form reopened on a fresh token; no second key", async () => {
    const a = await signedIn(t, w.owner);
    const form = await openForm(a);
    const fields = { ...form, workspace_id: w.ws.id, name: "Changed", access: "read_only", expiration: "never", expires_on: "" };
    await a.post("/settings/api-keys").type("form").send(fields).expect(200);
    const changed = await a.post("/settings/api-keys").type("form").send({ ...fields, access: "read_write" }).expect(422);
    expect(changed.text).toContain("already used for a different request");
    expect(hiddenField(changed.text, "form_token")).not.toBe(form.form_token);
    expect(await t.ctx.db.apiKey.count({ where: { name: "Changed" } })).toBe(1);
  });

  test("when the same form is submitted twice at the same moment, then one key exists and exactly one response shows it", async () => {
    const a = await signedIn(t, w.owner);
    const form = await openForm(a);
    const fields = { ...form, workspace_id: w.ws.id, name: "Racing", access: "read_only", expiration: "never", expires_on: "" };
    const responses = await Promise.all([1, 2, 3].map(() => a.post("/settings/api-keys").type("form").send(fields)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses.filter((r) => shownKey(r.text) !== null)).toHaveLength(1);
    expect(await t.ctx.db.apiKey.count({ where: { name: "Racing" } })).toBe(1);
  });

  test("when two forms are submitted, then two keys exist (each form has its own token)", async () => {
    const a = await signedIn(t, w.owner);
    await generate(a, { workspace_id: w.ws.id, name: "Distinct" });
    await generate(a, { workspace_id: w.ws.id, name: "Distinct" });
    expect(await t.ctx.db.apiKey.count({ where: { name: "Distinct" } })).toBe(2);
  });

  test("when an expiration is chosen, then 7/30/90 days, 1 year, a date at 23:59:59 UTC or never is stored", async () => {
    const a = await signedIn(t, w.owner);
    const day = 86_400_000;
    for (const [choice, days] of [["7", 7], ["30", 30], ["90", 90], ["365", 365]] as const) {
      const before = Date.now();
      await generate(a, { workspace_id: w.ws.id, name: `exp-${choice}`, expiration: choice });
      const row = await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: `exp-${choice}` } });
      expect(row.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + days * day);
      expect(row.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + days * day);
    }
    const date = new Date(Date.now() + 10 * day).toISOString().slice(0, 10);
    await generate(a, { workspace_id: w.ws.id, name: "exp-date", expiration: "date", expires_on: date });
    expect((await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: "exp-date" } })).expiresAt!.toISOString()).toBe(`${date}T23:59:59.000Z`);
    await generate(a, { workspace_id: w.ws.id, name: "exp-never", expiration: "never" });
    expect((await t.ctx.db.apiKey.findFirstOrThrow({ where: { name: "exp-never" } })).expiresAt).toBeNull();
  });

  test("when the form is incomplete or the date is past, then it is shown again with the problem and no key is made", async () => {
    const a = await signedIn(t, w.owner);
    const before = await keyCount(w.ws.id);
    const past = await generate(a, { workspace_id: w.ws.id, name: "Past", expiration: "date", expires_on: "2020-01-01" }, 422);
    expect(past.text).toContain("The expiration date must be today or later.");
    expect(past.text).toContain('value="Past"');
    const noDate = await generate(a, { workspace_id: w.ws.id, name: "No date", expiration: "date" }, 422);
    expect(noDate.text).toContain("Choose a valid expiration date.");
    const noName = await generate(a, { workspace_id: w.ws.id, name: "  " }, 422);
    expect(noName.text).toContain("Enter a name for the key.");
    expect(shownKey(noName.text)).toBeNull();
    expect(await keyCount(w.ws.id)).toBe(before);
  });

  test("when a member posts the form for their workspace, then it is refused with 403 and no key is made", async () => {
    const admin = await signedIn(t, w.admin);
    await generate(admin, { workspace_id: w.ws.id, name: "admin twin" });
    const member = await signedIn(t, w.member);
    const form = { _csrf: await tokenFrom(member), form_token: "a".repeat(32) };
    const res = await member
      .post("/settings/api-keys")
      .type("form")
      .send({ ...form, workspace_id: w.ws.id, name: "member try", access: "read_write", expiration: "never" })
      .expect(403);
    expect(res.text).toContain("Only owners and admins");
    await member.get("/settings/api-keys/new").expect(403);
    expect(await t.ctx.db.apiKey.count({ where: { name: "member try" } })).toBe(0);
  });

  test("when an admin posts the form for a workspace they do not administer, then it is refused with 403", async () => {
    const a = await signedIn(t, w.admin);
    await generate(a, { workspace_id: w.other.id, name: "cross" }, 403);
    expect(await t.ctx.db.apiKey.count({ where: { name: "cross" } })).toBe(0);
  });

  test("when the form is posted without its CSRF token, then it is refused and no key is made", async () => {
    const a = await signedIn(t, w.owner);
    const { form_token } = await openForm(a);
    await a
      .post("/settings/api-keys")
      .type("form")
      .send({ form_token, workspace_id: w.ws.id, name: "no csrf", access: "read_write", expiration: "never" })
      .expect(403);
    await a
      .post("/settings/api-keys")
      .type("form")
      .send({ _csrf: "forged", form_token, workspace_id: w.ws.id, name: "no csrf", access: "read_write", expiration: "never" })
      .expect(403);
    expect(await t.ctx.db.apiKey.count({ where: { name: "no csrf" } })).toBe(0);
  });
});

describe("API Keys tab: rotating and revoking", () => {
  async function confirmPage(a: Agent, id: string, action: "rotate" | "revoke") {
    const page = await a.get(`/settings/api-keys/${id}/${action}`).expect(200);
    return { page: page.text, _csrf: hiddenField(page.text, "_csrf") };
  }

  test("when an admin confirms a rotation, then the new key is shown once and the old one dies at once", async () => {
    const a = await signedIn(t, w.admin);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const { page, _csrf } = await confirmPage(a, record.id, "rotate");
    expect(page).toContain(`Rotate API key “${record.name}”?`);
    const rotatedAt = hiddenField(page, "rotated_at");
    const res = await a.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ _csrf, rotated_at: rotatedAt }).expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.text).toContain("Save Your API Key");
    const fresh = shownKey(res.text)!;
    expect(fresh).not.toBe(key);
    await v1(key).expect(401);
    await v1(fresh).expect(200);

    const reload = await a.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ _csrf, rotated_at: rotatedAt }).expect(200);
    expect(reload.text).toContain("Key already rotated");
    expect(shownKey(reload.text)).toBeNull();
    await v1(fresh).expect(200);
  });

  test("when an admin confirms a revocation, then the key dies at once and offers no Rotate", async () => {
    const a = await signedIn(t, w.owner);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const { page, _csrf } = await confirmPage(a, record.id, "revoke");
    expect(page).toContain(`Revoke API key “${record.name}”?`);
    const res = await a.post(`/settings/api-keys/${record.id}/revoke`).type("form").send({ _csrf }).expect(303);
    expect(res.headers.location).toBe("/settings/api-keys?notice=key_revoked");
    await v1(key).expect(401);
    const html = (await a.get(res.headers.location).expect(200)).text;
    expect(html).toContain("The API key was revoked.");
    const row = html.slice(html.indexOf(`data-key-id="${record.id}"`), html.indexOf("</tr>", html.indexOf(`data-key-id="${record.id}"`)));
    expect(row).toContain("Revoked");
    expect(row).not.toContain("/rotate");
    expect(row).not.toContain("/revoke");
  });

  test("when a key has expired, then it offers no Rotate and rotating it is refused", async () => {
    const a = await signedIn(t, w.owner);
    const { record } = await makeKey(t.ctx, w.ws.id, "read_only", new Date(Date.now() + 1000));
    await t.ctx.db.apiKey.update({ where: { id: record.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const html = (await a.get("/settings/api-keys").expect(200)).text;
    const start = html.indexOf(`data-key-id="${record.id}"`);
    const row = html.slice(start, html.indexOf("</tr>", start));
    expect(row).toContain("Expired");
    expect(row).not.toContain("/rotate");
    const _csrf = await tokenFrom(a);
    await a.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ _csrf, rotated_at: "" }).expect(409);
  });

  test("when a member rotates or revokes a key of their workspace, then 403 and the key keeps working", async () => {
    const member = await signedIn(t, w.member);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    const _csrf = await tokenFrom(member);
    await member.get(`/settings/api-keys/${record.id}/rotate`).expect(403);
    await member.get(`/settings/api-keys/${record.id}/revoke`).expect(403);
    await member.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ _csrf, rotated_at: "" }).expect(403);
    await member.post(`/settings/api-keys/${record.id}/revoke`).type("form").send({ _csrf }).expect(403);
    await v1(key).expect(200);
    expect((await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: record.id } })).rotatedAt).toBeNull();
  });

  test("when an admin targets another workspace's key, then it is a 404 like a missing one", async () => {
    const a = await signedIn(t, w.admin);
    const { key, record } = await makeKey(t.ctx, w.other.id);
    const _csrf = await tokenFrom(a);
    await a.get(`/settings/api-keys/${record.id}/rotate`).expect(404);
    await a.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ _csrf, rotated_at: "" }).expect(404);
    await a.post(`/settings/api-keys/${record.id}/revoke`).type("form").send({ _csrf }).expect(404);
    await a.post("/settings/api-keys/no-such-key/revoke").type("form").send({ _csrf }).expect(404);
    await v1(key).expect(200);
  });

  test("when rotate or revoke is posted without its CSRF token, then it is refused and nothing changes", async () => {
    const a = await signedIn(t, w.admin);
    const { key, record } = await makeKey(t.ctx, w.ws.id);
    await a.get("/settings/api-keys").expect(200);
    await a.post(`/settings/api-keys/${record.id}/rotate`).type("form").send({ rotated_at: "" }).expect(403);
    await a.post(`/settings/api-keys/${record.id}/revoke`).type("form").send({}).expect(403);
    await v1(key).expect(200);
  });
});
