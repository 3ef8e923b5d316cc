import * as oauth from "openid-client";
import { V1_SCOPES } from "../../../src/scopes/scopes.js";
import { permission } from "../../../src/scopes/permission-labels.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { type Connection, connect } from "../../support/connect-flow.js";
import { agent, signIn } from "../../support/forms.js";
import { onlyJson, runCli } from "../../support/cli.js";
import { makeClient, makeOwner, tokenEndpoint } from "../../support/oauth-helpers.js";

/**
 * The registry's permissions are the union of the scopes of every live grant of the record. Settings, /api and
 * `app list` must say exactly that, and it must match what token introspection reports for the live tokens,
 * through approve, approve narrower, approve wider, refresh, revoke one token and revoke the app.
 */

// Each step runs the real CLI (a child process through tsx, seconds each on this machine).
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

type Owner = Awaited<ReturnType<typeof makeOwner>>;
type Client = Awaited<ReturnType<typeof makeClient>>;

interface Surfaces {
  settings: { scopes: string[]; status: string };
  api: { scopes: string[]; status: string };
  cli: { scopes: string[]; status: string };
}

/** The record as each of the three registry surfaces shows it. Settings shows permission labels: mapped back. */
async function surfaces(owner: Owner, recordId: string): Promise<Surfaces> {
  const a = await signIn(agent(t.app), owner.user.email, owner.user.password);
  const html = (await a.get(`/settings/authorized-apps?workspace=${owner.workspace.id}`).expect(200)).text;
  const start = html.indexOf(`data-app-id="${recordId}"`);
  expect(start).toBeGreaterThan(-1);
  const row = html.slice(start, html.indexOf("</tr>", start));
  const labels = [...row.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
  const byLabel = new Map(V1_SCOPES.map((s) => [permission(s).replace(/&/g, "&amp;"), s]));
  const settings = { scopes: labels.map((l) => byLabel.get(l) ?? `?${l}`), status: /badge (\w+)/.exec(row)?.[1] ?? "?" };

  const apiRecord = ((await a.get(`/api/authorized-apps?workspace=${owner.workspace.id}`).expect(200)).body.data as { id: string; scopes: string[]; status: string }[]).find(
    (r) => r.id === recordId,
  )!;
  const run = await runCli(["app", "list", "--workspace", owner.workspace.id, "--json"], { databaseUrl: t.config.databaseUrl });
  expect(run.code).toBe(0);
  const cliRecord = (onlyJson(run).apps as { id: string; scopes: string[]; status: string }[]).find((r) => r.id === recordId)!;
  return {
    settings,
    api: { scopes: apiRecord.scopes, status: apiRecord.status },
    cli: { scopes: cliRecord.scopes, status: cliRecord.status },
  };
}

/** The union of the /v1 scopes introspection reports for the tokens that are still active. */
async function introspectedUnion(connections: { config: oauth.Configuration; token: string }[]): Promise<string[]> {
  const scopes = new Set<string>();
  for (const c of connections) {
    const result = await oauth.tokenIntrospection(c.config, c.token);
    if (result.active) for (const s of (result.scope ?? "").split(" ")) scopes.add(s);
  }
  return V1_SCOPES.filter((s) => scopes.has(s));
}

async function expectAgreement(owner: Owner, recordId: string, live: { config: oauth.Configuration; token: string }[], expected: string[], status = "active") {
  const introspected = await introspectedUnion(live);
  const shown = await surfaces(owner, recordId);
  expect({ introspected, ...shown }).toEqual({
    introspected: status === "active" ? expected : [],
    settings: { scopes: expected, status },
    api: { scopes: expected, status },
    cli: { scopes: expected, status },
  });
}

async function approve(owner: Owner, client: Client, scope: string): Promise<Connection> {
  return connect({ issuer: t.url, client, user: owner.credentials, scope: `${scope} offline_access`, workspaceId: owner.workspace.id });
}

const live = (c: Connection, token = c.tokens.access_token) => ({ config: c.config, token });

describe("the registry's permissions are the union of the live grants' scopes", () => {
  test("when an app is approved, narrower, wider, refreshed, one token revoked, then revoked, then Settings, /api, app list and introspection agree at every step", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Union App" });

    const first = await approve(owner, client, "subscribers:read tags:read tags:write");
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id, status: "active" } });
    await expectAgreement(owner, record.id, [live(first)], ["subscribers:read", "tags:read", "tags:write"]);

    // Narrower: the first grant's tokens still create tags, so the record must still say tags:write.
    const narrower = await approve(owner, client, "tags:read");
    const tag = await fetch(`${t.url}/v1/tags`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.tokens.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "still-allowed" }),
    });
    expect(tag.status).toBe(201);
    await expectAgreement(owner, record.id, [live(first), live(narrower)], ["subscribers:read", "tags:read", "tags:write"]);

    const wider = await approve(owner, client, "subscribers:read subscribers:write tags:read");
    await expectAgreement(owner, record.id, [live(first), live(narrower), live(wider)], [...V1_SCOPES]);

    const refreshed = await oauth.refreshTokenGrant(first.config, first.tokens.refresh_token!);
    await expectAgreement(owner, record.id, [live(first, refreshed.access_token), live(narrower), live(wider)], [...V1_SCOPES]);

    // The app revokes the wider grant's token: that grant ends, and with it subscribers:write.
    const revoked = await tokenEndpoint(`${t.url}/token/revocation`, client, { token: wider.tokens.access_token });
    expect(revoked.status).toBe(200);
    await expectAgreement(owner, record.id, [live(first, refreshed.access_token), live(narrower), live(wider)], ["subscribers:read", "tags:read", "tags:write"]);

    const a = await signIn(agent(t.app), owner.user.email, owner.user.password);
    const csrf = (await a.get("/api/csrf-token").expect(200)).body.token as string;
    await a.post(`/api/authorized-apps/${record.id}/revoke`).set("x-csrf-token", csrf).send({}).expect(200);
    // A revoked record keeps, as history, the permissions it had when it ended; no token is active any more.
    await expectAgreement(owner, record.id, [live(first, refreshed.access_token), live(narrower), live(wider)], ["subscribers:read", "tags:read", "tags:write"], "revoked");
  }, 180_000);

  test("when the only other grant ends by refresh-token reuse, then the record narrows to the remaining grant (denied twin: the reused grant's scopes are gone)", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { name: "Reuse App" });
    const wide = await approve(owner, client, "subscribers:read subscribers:write");
    const narrow = await approve(owner, client, "tags:read");
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id, status: "active" } });
    await expectAgreement(owner, record.id, [live(wide), live(narrow)], ["subscribers:read", "subscribers:write", "tags:read"]);
    await oauth.refreshTokenGrant(wide.config, wide.tokens.refresh_token!);
    await expect(oauth.refreshTokenGrant(wide.config, wide.tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    await expectAgreement(owner, record.id, [live(wide), live(narrow)], ["tags:read"]);
  }, 120_000);
});
