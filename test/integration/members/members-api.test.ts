import { jest } from "@jest/globals";
import request from "supertest";
import { CLI } from "../../../src/audit/audit-log.js";
import { createClient } from "../../../src/oauth/clients/create-client.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorizationRequest, authorize, connect, discover, HttpBrowser, offeredWorkspaces } from "../../support/connect-flow.js";
import { makeUser, makeWorkspace } from "../../support/fixtures.js";
import { agent, signIn } from "../../support/forms.js";

jest.setTimeout(120_000);

type User = Awaited<ReturnType<typeof makeUser>>;
type Agent = ReturnType<typeof agent>;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** A signed-in script: its agent and its CSRF token. */
async function apiClient(user: User): Promise<{ a: Agent; token: string }> {
  const a = await signIn(agent(t.app), user.email, user.password);
  return { a, token: (await a.get("/api/csrf-token").expect(200)).body.token as string };
}
const post = (c: { a: Agent; token: string }, path: string, body: object = {}) => c.a.post(path).set("x-csrf-token", c.token).send(body);
const v1 = (credential: string) => request(t.app).get("/v1/workspace").set("Authorization", `Bearer ${credential}`);

/** A workspace with an owner, an admin and a member, each signed in through /api. */
async function team() {
  const [owner, admin, member] = await Promise.all([makeUser(t.ctx), makeUser(t.ctx), makeUser(t.ctx)]);
  const ws = await makeWorkspace(t.ctx, undefined, [
    { userId: owner.id, role: "owner" },
    { userId: admin.id, role: "admin" },
    { userId: member.id, role: "member" },
  ]);
  const ids = Object.fromEntries((await t.ctx.db.membership.findMany({ where: { workspaceId: ws.id } })).map((m) => [m.userId, m.id]));
  return { owner, admin, member, ws, membershipOf: (u: User) => ids[u.id] as string };
}

/** A key the user creates through /api (so they own it). */
async function ownKey(c: { a: Agent; token: string }, workspaceId: string, name: string) {
  const res = await post(c, "/api/api-keys", { workspace_id: workspaceId, name, access: "read_write" }).expect(201);
  return { key: res.body.data.key as string, id: res.body.data.api_key.id as string };
}

let clients = 0;
/** The user connects a new app to the workspace through the real OAuth flow; returns its access token and record. */
async function approveApp(user: User, workspaceId: string) {
  const issued = await createClient(t.ctx.db, { name: `App ${++clients}`, redirectUris: ["http://127.0.0.1:9/callback"], actor: CLI });
  const client = { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: "http://127.0.0.1:9/callback" };
  const { tokens } = await connect({ issuer: t.url, client, user, workspaceId, scope: "subscribers:read" });
  const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id, workspaceId, status: "active" } });
  return { token: tokens.access_token, recordId: record.id, client };
}

describe("/api Team Members", () => {
  test("when members are listed, then each comes with role, sign-in and what they hold; members read, strangers get 404", async () => {
    const w = await team();
    const admin = await apiClient(w.admin);
    await ownKey(admin, w.ws.id, "admin key");
    await approveApp(w.admin, w.ws.id);
    const member = await apiClient(w.member);
    const res = await member.a.get(`/api/workspaces/${w.ws.id}/members`).expect(200);
    expect(res.body.data.map((m: { email: string }) => m.email)).toEqual([w.owner.email, w.admin.email, w.member.email]);
    expect(res.body.data[1]).toEqual({
      id: w.membershipOf(w.admin),
      user_id: w.admin.id,
      name: null,
      email: w.admin.email,
      role: "admin",
      joined_at: expect.any(String),
      last_sign_in_at: expect.any(String),
      active_api_keys: 1,
      approved_apps: 1,
    });
    expect(res.body.data[0].last_sign_in_at).toBeNull();
    const stranger = await apiClient(await makeUser(t.ctx));
    expect((await stranger.a.get(`/api/workspaces/${w.ws.id}/members`).expect(404)).body.error.code).toBe("not_found");
  });

  test("when roles change, then admins manage members but only owners touch owners, and the last owner stays", async () => {
    const w = await team();
    const admin = await apiClient(w.admin);
    const member = await apiClient(w.member);
    const owner = await apiClient(w.owner);
    const roleOf = async (u: User) => (await t.ctx.db.membership.findFirstOrThrow({ where: { workspaceId: w.ws.id, userId: u.id } })).role;

    // Denied twins: a member manages nobody; an admin neither makes nor demotes nor removes an owner.
    const byMember = await post(member, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/role`, { role: "member" }).expect(403);
    expect(byMember.body.error.type).toBe("permission_error");
    expect((await post(admin, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/role`, { role: "owner" }).expect(403)).body.error.code).toBe("owner_required");
    await post(admin, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.owner)}/role`, { role: "admin" }).expect(403);
    await post(admin, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.owner)}/remove`).expect(403);
    expect(await roleOf(w.owner)).toBe("owner");
    expect(await roleOf(w.admin)).toBe("admin");

    // Allowed: an admin promotes a member to admin; the owner makes them owner.
    const promoted = await post(admin, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/role`, { role: "admin" }).expect(200);
    expect(promoted.body.data).toEqual({ id: w.membershipOf(w.member), status: "active", role: "admin", revoked_api_keys: [], revoked_authorized_apps: [] });
    await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/role`, { role: "owner" }).expect(200);
    expect(await roleOf(w.member)).toBe("owner");

    // The last owner: demoting both owners in turn stops at the last one.
    await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/role`, { role: "admin" }).expect(200);
    const last = await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.owner)}/remove`).expect(409);
    expect(last.body.error.code).toBe("last_owner");
    expect(await roleOf(w.owner)).toBe("owner");

    // Bad input is a clear 422; a membership of another workspace is a 404.
    expect((await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/role`, { role: "boss" }).expect(422)).body.error.code).toBe("validation_failed");
    await post(owner, `/api/workspaces/${w.ws.id}/members/nope/remove`).expect(404);
  });

  test("when an admin is demoted or removed, then their very next request is refused: pages, /api and the consent list", async () => {
    const w = await team();
    const admin = await apiClient(w.admin);
    const owner = await apiClient(w.owner);
    await admin.a.get(`/api/api-keys?workspace=${w.ws.id}`).expect(200);
    await admin.a.get(`/settings/members?workspace=${w.ws.id}`).expect(200);

    await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/role`, { role: "member" }).expect(200);
    await admin.a.get(`/api/api-keys?workspace=${w.ws.id}`).expect(403);
    await post(admin, "/api/api-keys", { workspace_id: w.ws.id, name: "after demotion", access: "read_only" }).expect(403);
    await post(admin, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/remove`).expect(403);
    expect((await admin.a.get("/api/workspaces").expect(200)).body.data).toEqual([{ id: w.ws.id, name: w.ws.name, role: "member", can_manage: false }]);

    // The consent page no longer offers the workspace, and posting it anyway is refused.
    const issued = await createClient(t.ctx.db, { name: "Late app", redirectUris: ["http://127.0.0.1:9/callback"], actor: CLI });
    const client = { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: client9 };
    const config = await discover(t.url, client);
    const browser = new HttpBrowser();
    const started = await authorizationRequest(config, client, { scope: "subscribers:read" });
    const consent = await authorize(browser, started.url, client.redirectUri, { user: w.admin });
    expect(consent.kind === "page" && offeredWorkspaces(consent.html)).toEqual([]);
    const forced = await authorize(browser, (await authorizationRequest(config, client, { scope: "subscribers:read" })).url, client.redirectUri, {
      decision: "allow",
      workspaceId: w.ws.id,
    });
    expect(forced.kind === "page" && forced.status).toBe(403);

    await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/remove`).expect(200);
    await admin.a.get(`/api/workspaces/${w.ws.id}/members`).expect(404);
    await admin.a.get(`/settings/members?workspace=${w.ws.id}`).expect(404);
    expect((await admin.a.get("/api/workspaces").expect(200)).body.data).toEqual([]);
  });

  test("when a member is removed with a review, then the chosen keys and apps die on /v1 at once, kept ones work and show their owner left", async () => {
    const w = await team();
    const admin = await apiClient(w.admin);
    const owner = await apiClient(w.owner);
    const doomed = await ownKey(admin, w.ws.id, "doomed");
    const kept = await ownKey(admin, w.ws.id, "kept");
    const app = await approveApp(w.admin, w.ws.id);
    const ownersApp = await approveApp(w.owner, w.ws.id);
    // An app the admin approved first but the owner approved again rests on the owner's approval now.
    const reapproved = await approveApp(w.admin, w.ws.id);
    await connect({ issuer: t.url, client: reapproved.client, user: w.owner, workspaceId: w.ws.id, scope: "subscribers:read" });

    const left = await owner.a.get(`/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/left-behind`).expect(200);
    expect(left.body.data.api_keys.map((k: { name: string }) => k.name).sort()).toEqual(["doomed", "kept"]);
    expect(left.body.data.authorized_apps.map((a: { id: string }) => a.id)).toEqual([app.recordId]);
    // Only what the member leaves can be revoked here; a bad id changes nothing at all.
    const bad = await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/remove`, { revoke_authorized_app_ids: [ownersApp.recordId] }).expect(422);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(await t.ctx.db.membership.count({ where: { id: w.membershipOf(w.admin) } })).toBe(1);

    const removed = await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/remove`, {
      revoke_api_key_ids: [doomed.id],
      revoke_authorized_app_ids: [app.recordId],
    }).expect(200);
    expect(removed.body.data).toEqual({ id: w.membershipOf(w.admin), status: "removed", role: null, revoked_api_keys: [doomed.id], revoked_authorized_apps: [app.recordId] });
    await v1(doomed.key).expect(401);
    await v1(app.token).expect(401);
    await v1(kept.key).expect(200);
    await v1(ownersApp.token).expect(200);

    const activity = await t.ctx.db.auditEvent.findMany({ where: { workspaceId: w.ws.id, createdAt: { gte: new Date(Date.now() - 60_000) }, actorId: w.owner.id } });
    expect(activity.map((e) => `${e.action} ${e.targetId}`).sort()).toEqual(
      expect.arrayContaining([`api_key.revoked ${doomed.id}`, `authorized_app.revoked ${app.recordId}`, `membership.removed ${w.membershipOf(w.admin)}`]),
    );
    expect(activity.every((e) => e.actorLabel === w.owner.email)).toBe(true);

    const page = await owner.a.get("/settings/api-keys").expect(200);
    const keptRow = page.text.split("<tr").find((row) => row.includes(">kept<")) ?? "";
    expect(keptRow).toContain("owner left");
    expect(keptRow).toContain(`/settings/api-keys/${kept.id}/reassign`);

    // Reassigning: only to a member of the key's workspace; afterwards the key no longer shows its owner left.
    await post(owner, `/api/api-keys/${kept.id}/reassign`, { owner_id: w.admin.id }).expect(422);
    const reassigned = await post(owner, `/api/api-keys/${kept.id}/reassign`, { owner_id: w.member.id }).expect(200);
    expect(reassigned.body.data.owner).toEqual({ id: w.member.id, email: w.member.email });
    const after = await owner.a.get("/settings/api-keys").expect(200);
    expect(after.text.split("<tr").find((row) => row.includes(">kept<"))).not.toContain("owner left");
    await v1(kept.key).expect(200);
  });

  test("when an admin is demoted to member, then the same review applies and a plain promotion revokes nothing", async () => {
    const w = await team();
    const admin = await apiClient(w.admin);
    const owner = await apiClient(w.owner);
    const key = await ownKey(admin, w.ws.id, "admin's");
    const refused = await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/role`, { role: "admin", revoke_api_key_ids: [key.id] }).expect(422);
    expect(refused.body.error.code).toBe("validation_failed");
    await v1(key.key).expect(200);
    const demoted = await post(owner, `/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.admin)}/role`, { role: "member", revoke_api_key_ids: [key.id] }).expect(200);
    expect(demoted.body.data.revoked_api_keys).toEqual([key.id]);
    await v1(key.key).expect(401);
  });

  test("when a POST lacks the CSRF header, then it is a 403 and nobody is removed", async () => {
    const w = await team();
    const owner = await apiClient(w.owner);
    await owner.a.post(`/api/workspaces/${w.ws.id}/members/${w.membershipOf(w.member)}/remove`).send({}).expect(403);
    expect(await t.ctx.db.membership.count({ where: { id: w.membershipOf(w.member) } })).toBe(1);
  });
});

const client9 = "http://127.0.0.1:9/callback";
