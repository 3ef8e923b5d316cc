import * as oauth from "openid-client";
import { CLI } from "../../../src/audit/audit-log.js";
import { listAuthorizedApps } from "../../../src/authorized-apps/list-authorized-apps.js";
import { recordApproval } from "../../../src/authorized-apps/record-approval.js";
import { revokeAuthorizedApp } from "../../../src/authorized-apps/revoke-authorized-app.js";
import { buildContext } from "../../../src/context.js";
import { createLogger } from "../../../src/logger.js";
import { deleteClient } from "../../../src/oauth/clients/delete-client.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorizationRequest, authorize, connect, discover, HttpBrowser } from "../../support/connect-flow.js";
import { makeClient, makeOwner, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";
import { OPERATOR, workspaceScope } from "../../../src/access/access-scope.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const registry = () => ({ db: t.ctx.db, feed: t.ctx.feed });

async function connected(scope?: string) {
  const owner = await makeOwner(t.ctx);
  const client = await makeClient(t.ctx, { name: "Registry App" });
  const connection = await connect({ issuer: t.url, client, user: owner.credentials, scope });
  const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
  return { ...owner, client, ...connection, record };
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not within ${ms} ms`);
}

describe("listing authorized apps", () => {
  test("when a workspace's apps are listed, then each record shows the app, scopes, dates and status, revoked ones included", async () => {
    const { workspace, record, client } = await connected("subscribers:read offline_access");
    const other = await connected();
    await revokeAuthorizedApp(registry(), { id: record.id, scope: OPERATOR, by: "user", actor: CLI });
    const apps = await listAuthorizedApps(t.ctx.db, { scope: workspaceScope([workspace.id]) });
    expect(apps).toEqual([
      {
        id: record.id,
        client_id: client.id,
        app_name: "Registry App",
        workspace_id: workspace.id,
        workspace_name: workspace.name,
        scopes: ["subscribers:read"],
        authorized_at: record.authorizedAt.toISOString(),
        last_used_at: null,
        last_used_ip: null,
        last_used_user_agent: null,
        status: "revoked",
        revoked_at: expect.any(String),
        revoked_by: "user",
        revoked_by_user_id: null,
        revoked_by_name: "command line",
        revoked_reason: null,
      },
    ]);
    expect(apps.map((a) => a.id)).not.toContain(other.record.id);
    expect(await listAuthorizedApps(t.ctx.db, { scope: workspaceScope([workspace.id]), status: "active" })).toEqual([]);
  });
});

describe("recording approvals", () => {
  test("when several approvals of one app for one workspace race, then one active record holds all their grants", async () => {
    const { workspace, user } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const grantIds = Array.from({ length: 5 }, (_, i) => `race-grant-${client.id}-${i}`);
    const ids = await Promise.all(
      grantIds.map((grantId) =>
        recordApproval(registry(), { clientId: client.id, workspaceId: workspace.id, userId: user.id, scopes: ["tags:read"], grantId, actor: CLI }),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    const records = await t.ctx.db.authorizedApp.findMany({ where: { clientId: client.id }, include: { grants: true } });
    expect(records).toHaveLength(1);
    expect(records[0].grants.map((g) => g.grantId).sort()).toEqual(grantIds.sort());
  });

  test("when a second active record of one app for one workspace is written, then the database refuses it", async () => {
    const { workspace } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const record = { clientId: client.id, workspaceId: workspace.id, scopes: "tags:read", activeKey: `${client.id}:${workspace.id}` };
    await t.ctx.db.authorizedApp.create({ data: record });
    await expect(t.ctx.db.authorizedApp.create({ data: record })).rejects.toMatchObject({ code: "P2002" });
    // Revoked records (activeKey null) are history and may pile up.
    await t.ctx.db.authorizedApp.updateMany({ where: { clientId: client.id }, data: { status: "revoked", activeKey: null } });
    await t.ctx.db.authorizedApp.create({ data: record });
    expect(await t.ctx.db.authorizedApp.count({ where: { clientId: client.id } })).toBe(2);
  });
});

describe("revoking an authorized app", () => {
  test("when it is revoked, then its tokens fail on the next request, its refresh token fails, and its data stays", async () => {
    const { record, tokens, config, client } = await connected();
    const created = await fetch(`${t.url}/v1/subscribers`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "kept@example.test" }),
    });
    expect(created.status).toBe(201);
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);

    const view = await revokeAuthorizedApp(registry(), { id: record.id, scope: OPERATOR, by: "user", actor: { type: "user", id: "u1", label: "a@b" } });
    expect(view).toMatchObject({ status: "revoked", revoked_by: "user" });
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
    const refresh = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(refresh.body.error).toBe("invalid_grant");
    expect((await oauth.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect(await t.ctx.db.subscriber.count({ where: { workspaceId: record.workspaceId, email: "kept@example.test" } })).toBe(1);
    const stored = await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id: record.id } });
    expect(stored).toMatchObject({ status: "revoked", revokedBy: "user", revokedByUserId: "u1" });
  });

  test("when the app connects again after a revocation, then consent is asked and a new record is created", async () => {
    const { record, client, credentials, browser } = await connected();
    await revokeAuthorizedApp(registry(), { id: record.id, scope: OPERATOR, by: "user", actor: CLI });
    const config = await discover(t.url, client);
    const started = await authorizationRequest(config, client);
    const page = await authorize(browser, started.url, client.redirectUri, {});
    expect(page.kind === "page" && page.html.includes("Allow access")).toBe(true);
    const again = await connect({ issuer: t.url, client, user: credentials, browser });
    expect(await v1Status(t.url, again.tokens.access_token)).toBe(200);
    const records = await t.ctx.db.authorizedApp.findMany({ where: { clientId: client.id }, orderBy: { authorizedAt: "asc" } });
    expect(records.map((r) => [r.id === record.id, r.status])).toEqual([
      [true, "revoked"],
      [false, "active"],
    ]);
  });

  test("when Settings names a record of another workspace, then it is not found; revoking twice succeeds", async () => {
    const { record } = await connected();
    const stranger = await makeOwner(t.ctx);
    await expect(
      revokeAuthorizedApp(registry(), { id: record.id, scope: workspaceScope([stranger.workspace.id]), by: "user", actor: CLI }),
    ).rejects.toMatchObject({ status: 404 });
    const first = await revokeAuthorizedApp(registry(), { id: record.id, scope: workspaceScope([record.workspaceId]), by: "user", actor: CLI });
    const second = await revokeAuthorizedApp(registry(), { id: record.id, scope: OPERATOR, by: "user", actor: CLI });
    expect(first.status).toBe("revoked");
    expect(second.revoked_at).toBe(first.revoked_at);
  });

  test("when another process revokes it, then this server refuses its token within a second", async () => {
    const { record, tokens } = await connected();
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const other = await buildContext(t.config, { logger: createLogger("silent") });
    try {
      await revokeAuthorizedApp({ db: other.db, feed: other.feed }, { id: record.id, scope: OPERATOR, by: "user", actor: CLI });
    } finally {
      await other.close();
    }
    expect(await within(1000, async () => (await v1Status(t.url, tokens.access_token)) === 401)).toBeLessThan(1000);
  });

  test("when its client is deleted, then every record of the app is revoked by the system and its tokens fail", async () => {
    const { record, tokens, client, credentials } = await connected();
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const view = await deleteClient(registry(), { id: client.id, actor: CLI });
    expect(view.status).toBe("deleted");
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
    expect(await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id: record.id } })).toMatchObject({
      status: "revoked",
      revokedBy: "system",
    });
    const refresh = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(refresh.body.error).toBe("invalid_client");
    const started = await authorizationRequest(await discoverFor(client), client);
    const page = await authorize(new HttpBrowser(), started.url, client.redirectUri, { user: credentials });
    expect(page.kind).toBe("page");
    expect(page.kind === "page" && page.status).toBe(400);
  });
});

/** openid-client metadata does not depend on the client, so a deleted client can still build a request URL. */
function discoverFor(client: { id: string; secret: string | null; redirectUri: string }) {
  return discover(t.url, client);
}

describe("access tokens on /v1", () => {
  test("when a token carries only subscribers:read, then it may read subscribers and nothing else", async () => {
    const { tokens } = await connected("subscribers:read");
    expect(await v1Status(t.url, tokens.access_token, "/v1/subscribers")).toBe(200);
    expect(await v1Status(t.url, tokens.access_token, "/v1/tags")).toBe(403);
    const write = await fetch(`${t.url}/v1/subscribers`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "no@example.test" }),
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe("insufficient_scope");
  });

  test.each([
    ["an unknown token of the right shape", "A".repeat(43)],
    ["a token of the wrong shape", "not-a-token"],
  ])("when %s is sent, then it is 401 invalid_access_token", async (_name, token) => {
    const res = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_access_token");
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("when a token has expired, then it is 401 even though its row is still stored", async () => {
    const { tokens } = await connected();
    const row = await t.ctx.db.oidcModel.findFirstOrThrow({ where: { type: "AccessToken" }, orderBy: { expiresAt: "desc" } });
    const payload = JSON.parse(row.payload) as { exp: number };
    await t.ctx.db.oidcModel.update({
      where: { id_type: { id: row.id, type: row.type } },
      data: { payload: JSON.stringify({ ...payload, exp: Math.floor(Date.now() / 1000) - 1 }) },
    });
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
  });

  test("when a token is used, then last_used_at is written once and not again within the minute", async () => {
    const { tokens, record } = await connected();
    expect(record.lastUsedAt).toBeNull();
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const first = await within(1000, async () => (await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt !== null);
    expect(first).toBeLessThan(1000);
    const stamped = (await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt;
    await new Promise((r) => setTimeout(r, 20));
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await t.ctx.db.authorizedApp.findUniqueOrThrow({ where: { id: record.id } })).lastUsedAt).toEqual(stamped);
  });
});

describe("rate limits count per authorized app", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_PER_MINUTE: "3" });
  });
  afterAll(() => limited.close());

  test("when two tokens of one record are used, then they share one bucket; another record has its own", async () => {
    const owner = await makeOwner(limited.ctx);
    const client = await makeClient(limited.ctx);
    const first = await connect({ issuer: limited.url, client, user: owner.credentials });
    const refreshed = await oauth.refreshTokenGrant(first.config, first.tokens.refresh_token!);
    expect(await v1Status(limited.url, first.tokens.access_token)).toBe(200);
    expect(await v1Status(limited.url, refreshed.access_token)).toBe(200);
    expect(await v1Status(limited.url, first.tokens.access_token)).toBe(200);
    expect(await v1Status(limited.url, refreshed.access_token)).toBe(429);

    const someone = await makeOwner(limited.ctx);
    const separate = await connect({ issuer: limited.url, client, user: someone.credentials });
    expect(await v1Status(limited.url, separate.tokens.access_token)).toBe(200);
  });
});
