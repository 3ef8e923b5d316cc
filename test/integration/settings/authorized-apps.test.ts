import crypto from "node:crypto";
import { recordApproval } from "../../../src/authorized-apps/record-approval.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { createClient } from "../../../src/oauth/clients/create-client.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { type Agent, hiddenField, makeWorld, signedIn, tokenFrom } from "../../support/world.js";

let t: TestApp;
let w: Awaited<ReturnType<typeof makeWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

/** An approved app connected to a workspace (as a finished consent would leave it); returns the record id. */
async function connect(appName: string, workspaceId: string, userId: string, scopes = ["subscribers:read", "tags:write"]) {
  const { client } = await createClient(t.ctx.db, { name: appName, redirectUris: ["https://app.example/cb"], actor: CLI });
  const id = await recordApproval(
    { db: t.ctx.db, feed: t.ctx.feed },
    { clientId: client.client_id, workspaceId, userId, scopes, grantId: crypto.randomUUID(), actor: { type: "user", id: userId, label: "someone" } },
  );
  return { id, clientId: client.client_id };
}

const status = async (id: string) => (await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id } })).status;

function rowOf(html: string, id: string): string {
  const start = html.indexOf(`data-app-id="${id}"`);
  if (start < 0) return "";
  return html.slice(start, html.indexOf("</tr>", start));
}

describe("Authorized Apps tab", () => {
  test("when an admin opens the tab, then the first workspace by name is picked and its apps are listed in plain language", async () => {
    const admin = await makeUser(t.ctx);
    const zulu = await makeWorkspace(t.ctx, "Zulu Media", [{ userId: admin.id, role: "admin" }]);
    const alpha = await makeWorkspace(t.ctx, "Alpha Books", [{ userId: admin.id, role: "owner" }]);
    const inAlpha = await connect("Mail Analytics", alpha.id, admin.id);
    const inZulu = await connect("Zulu Sync", zulu.id, admin.id);
    const a = await signedIn(t, admin);

    const html = (await a.get("/settings/authorized-apps").expect(200)).text;
    expect(html).toContain('<label for="app-workspace">Workspace</label>');
    expect(html).toMatch(new RegExp(`<option value="${alpha.id}" selected>Alpha Books</option>`));
    for (const header of ["App", "Workspace", "Permissions", "Authorized", "Last used", "Status"]) {
      expect(html).toContain(`<th scope="col">${header}</th>`);
    }
    const row = rowOf(html, inAlpha.id);
    expect(row).toContain("Mail Analytics");
    expect(row).toContain("Alpha Books");
    expect(row).toContain("<li>Read subscribers</li>");
    expect(row).toContain("<li>Create and delete tags</li>");
    expect(row).toContain("Never");
    expect(row).toContain("Active");
    expect(row).toContain(`/settings/authorized-apps/${inAlpha.id}/revoke`);
    expect(rowOf(html, inZulu.id)).toBe("");

    const zuluPage = (await a.get(`/settings/authorized-apps?workspace=${zulu.id}`).expect(200)).text;
    expect(rowOf(zuluPage, inZulu.id)).toContain("Zulu Sync");
    expect(rowOf(zuluPage, inAlpha.id)).toBe("");
  });

  test("when a workspace has no apps, then the page says none are connected", async () => {
    const owner = await makeUser(t.ctx);
    await makeWorkspace(t.ctx, "Quiet Place", [{ userId: owner.id, role: "owner" }]);
    const html = (await (await signedIn(t, owner)).get("/settings/authorized-apps").expect(200)).text;
    expect(html).toContain("No apps are connected to Quiet Place.");
  });

  test("when an admin confirms a revocation, then the record is revoked by that person (named), stays listed as history, and is logged", async () => {
    const { id } = await connect("Revocable", w.ws.id, w.owner.id);
    const a = await signedIn(t, w.admin);
    const confirm = (await a.get(`/settings/authorized-apps/${id}/revoke`).expect(200)).text;
    expect(confirm).toContain("Revoke access for “Revocable”?");
    const res = await a
      .post(`/settings/authorized-apps/${id}/revoke`)
      .type("form")
      .send({ _csrf: hiddenField(confirm, "_csrf") })
      .expect(303);
    expect(res.headers.location).toBe(`/settings/authorized-apps?workspace=${w.ws.id}&notice=app_revoked`);
    const record = await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id } });
    expect(record).toMatchObject({ status: "revoked", revokedBy: "user", revokedByUserId: w.admin.id });
    const html = (await a.get(res.headers.location).expect(200)).text;
    expect(html).toContain("Access was revoked.");
    const row = rowOf(html, id);
    expect(row).toContain("Revoked");
    expect(row).toContain(`by ${w.admin.email}`);
    expect(row).not.toContain("by a workspace admin");
    expect(row).not.toContain("/revoke");
    const activity = (await a.get("/settings/activity").expect(200)).text;
    expect(activity).toContain("Revoked app “Revocable”");
    expect(activity).toContain("Authorized app “Revocable” (Read subscribers, Create and delete tags)");
  });

  test("when a member opens the tab or revokes, then they see an explanation and every action is a 403 (the owner twin succeeds)", async () => {
    const { id } = await connect("Guarded", w.ws.id, w.owner.id);
    const m = await signedIn(t, w.member);
    const html = (await m.get("/settings/authorized-apps").expect(200)).text;
    expect(html).toContain("Only workspace owners and admins can manage authorized apps");
    expect(html).not.toContain("Guarded");
    await m.get(`/settings/authorized-apps?workspace=${w.ws.id}`).expect(403);
    await m.get(`/settings/authorized-apps/${id}/revoke`).expect(403);
    const _csrf = await tokenFrom(m, "/settings/authorized-apps");
    await m.post(`/settings/authorized-apps/${id}/revoke`).type("form").send({ _csrf }).expect(403);
    expect(await status(id)).toBe("active");

    const owner = await signedIn(t, w.owner);
    const ownerCsrf = await tokenFrom(owner, "/settings/authorized-apps");
    await owner.post(`/settings/authorized-apps/${id}/revoke`).type("form").send({ _csrf: ownerCsrf }).expect(303);
    expect(await status(id)).toBe("revoked");
  });

  test("when an admin targets another workspace's app, then it is a 404 and the app stays connected", async () => {
    const { id } = await connect("Foreign app", w.other.id, w.stranger.id);
    const a = await signedIn(t, w.admin);
    const _csrf = await tokenFrom(a, "/settings/authorized-apps");
    await a.get(`/settings/authorized-apps/${id}/revoke`).expect(404);
    await a.post(`/settings/authorized-apps/${id}/revoke`).type("form").send({ _csrf }).expect(404);
    await a.get(`/settings/authorized-apps?workspace=${w.other.id}`).expect(403);
    expect(await status(id)).toBe("active");
  });

  test("when the revoke form is posted without its CSRF token, then it is refused", async () => {
    const { id } = await connect("Csrf app", w.ws.id, w.owner.id);
    const a = await signedIn(t, w.owner);
    await a.get("/settings/authorized-apps").expect(200);
    await a.post(`/settings/authorized-apps/${id}/revoke`).type("form").send({}).expect(403);
    expect(await status(id)).toBe("active");
  });
});

describe("/api/authorized-apps", () => {
  async function apiClient(user: { email: string; password: string }): Promise<{ a: Agent; token: string }> {
    const a = await signedIn(t, user as Awaited<ReturnType<typeof makeUser>>);
    return { a, token: (await a.get("/api/csrf-token").expect(200)).body.token };
  }

  test("when an admin lists and revokes, then the same records and service are used; members get 403, strangers 404", async () => {
    const { id, clientId } = await connect("Api listed", w.ws.id, w.owner.id, ["subscribers:read"]);
    const foreign = await connect("Api foreign", w.other.id, w.stranger.id);
    const admin = await apiClient(w.admin);
    const list = await admin.a.get(`/api/authorized-apps?workspace=${w.ws.id}&status=active`).expect(200);
    const item = list.body.data.find((x: { id: string }) => x.id === id);
    expect(item).toMatchObject({
      id,
      client_id: clientId,
      app_name: "Api listed",
      workspace_id: w.ws.id,
      workspace_name: w.ws.name,
      scopes: ["subscribers:read"],
      status: "active",
      last_used_at: null,
      revoked_by: null,
    });
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(foreign.id);

    const member = await apiClient(w.member);
    await member.a.get(`/api/authorized-apps?workspace=${w.ws.id}`).expect(403);
    expect((await member.a.get("/api/authorized-apps").expect(200)).body.data).toEqual([]);
    await member.a.post(`/api/authorized-apps/${id}/revoke`).set("x-csrf-token", member.token).send({}).expect(403);
    await admin.a.post(`/api/authorized-apps/${foreign.id}/revoke`).set("x-csrf-token", admin.token).send({}).expect(404);
    await admin.a.post(`/api/authorized-apps/${id}/revoke`).send({}).expect(403);
    expect(await status(id)).toBe("active");
    expect(await status(foreign.id)).toBe("active");

    const revoked = await admin.a.post(`/api/authorized-apps/${id}/revoke`).set("x-csrf-token", admin.token).send({}).expect(200);
    expect(revoked.body.data).toMatchObject({ id, status: "revoked", revoked_by: "user" });
    const history = await admin.a.get(`/api/authorized-apps?workspace=${w.ws.id}&status=revoked`).expect(200);
    expect(history.body.data.map((x: { id: string }) => x.id)).toContain(id);
  });
});
