import { startTestServer, type TestServer } from "../../support/app.js";
import { type Connection, connect } from "../../support/connect-flow.js";
import { agent, signIn } from "../../support/forms.js";
import { onlyJson, runCli } from "../../support/cli.js";
import { makeClient, makeOwner, tokenEndpoint } from "../../support/oauth-helpers.js";

/** Who ended an authorization is named on the record (Settings, /api, `app list`) and in the Activity list. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

type Owner = Awaited<ReturnType<typeof makeOwner>>;

interface Shown {
  api: Record<string, unknown>;
  settingsHint: string;
  activity: { actor: { type: string; label: string }; summary: string };
  cli: Record<string, unknown>;
}

async function connected(name: string) {
  const owner = await makeOwner(t.ctx);
  const client = await makeClient(t.ctx, { name });
  const connection = await connect({ issuer: t.url, client, user: owner.credentials, scope: "tags:read offline_access" });
  const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
  return { owner, client, connection, record };
}

async function shown(owner: Owner, recordId: string, withCli = false): Promise<Shown> {
  const a = await signIn(agent(t.app), owner.user.email, owner.user.password);
  const q = `?workspace=${owner.workspace.id}`;
  const api = ((await a.get(`/api/authorized-apps${q}`).expect(200)).body.data as { id: string }[]).find((r) => r.id === recordId)!;
  const html = (await a.get(`/settings/authorized-apps${q}`).expect(200)).text;
  const row = html.slice(html.indexOf(`data-app-id="${recordId}"`));
  const settingsHint = /<div class="hint">([^<]*)<\/div>/.exec(row)?.[1].replace(/\s+/g, " ").trim() ?? "";
  const events = (await a.get(`/api/activity${q}`).expect(200)).body.data as Shown["activity"][];
  const activity = events.find((e) => e.summary.startsWith("Revoked app"))!;
  let cli: Record<string, unknown> = {};
  if (withCli) {
    const run = await runCli(["app", "list", "--workspace", owner.workspace.id, "--json"], { databaseUrl: t.config.databaseUrl });
    cli = (onlyJson(run).apps as { id: string }[]).find((r) => r.id === recordId)!;
  }
  return { api, settingsHint, activity, cli };
}

function codeOf(c: Connection): string {
  return c.callbackUrl.searchParams.get("code")!;
}

describe("who revoked an authorized app", () => {
  test("when a person revokes it through /api, then the record and Activity name that person, and app list too", async () => {
    const { owner, record } = await connected("Person Revoked");
    const a = await signIn(agent(t.app), owner.user.email, owner.user.password);
    const csrf = (await a.get("/api/csrf-token").expect(200)).body.token as string;
    await a.post(`/api/authorized-apps/${record.id}/revoke`).set("x-csrf-token", csrf).send({}).expect(200);
    const s = await shown(owner, record.id, true);
    const named = { revoked_by: "user", revoked_by_user_id: owner.user.id, revoked_by_name: owner.user.email, revoked_reason: null };
    expect(s.api).toMatchObject(named);
    expect(s.cli).toMatchObject({ revoked_by: "user", revoked_by_name: owner.user.email, revoked_reason: null });
    expect(s.settingsHint).toContain(`by ${owner.user.email}`);
    expect(s.activity.actor).toMatchObject({ type: "user", label: owner.user.email });
  }, 60_000);

  test("when the app revokes its own token, then the app is named, not a person", async () => {
    const { owner, client, connection, record } = await connected("Self Revoked");
    expect((await tokenEndpoint(`${t.url}/token/revocation`, client, { token: connection.tokens.refresh_token! })).status).toBe(200);
    const s = await shown(owner, record.id);
    expect(s.api).toMatchObject({ status: "revoked", revoked_by: "app", revoked_by_user_id: null, revoked_by_name: "Self Revoked", revoked_reason: null });
    expect(s.settingsHint).toContain("by the app");
    expect(s.activity.actor).toMatchObject({ type: "app", label: "Self Revoked" });
  });

  test("when an authorization code is replayed, then the system is named with the reason code_replay", async () => {
    const { owner, client, connection, record } = await connected("Replayed Code");
    const replay = await tokenEndpoint(`${t.url}/token`, client, {
      grant_type: "authorization_code",
      code: codeOf(connection),
      redirect_uri: client.redirectUri,
      code_verifier: connection.codeVerifier,
    });
    expect(replay.body.error).toBe("invalid_grant");
    const s = await shown(owner, record.id);
    expect(s.api).toMatchObject({ status: "revoked", revoked_by: "system", revoked_by_user_id: null, revoked_by_name: null, revoked_reason: "code_replay" });
    expect(s.settingsHint).toContain("by the system: an authorization code was used twice");
    expect(s.activity).toMatchObject({ actor: { type: "system" }, summary: "Revoked app “Replayed Code” (an authorization code was used twice)" });
  });

  test("when a used refresh token is presented again, then the system is named with the reason refresh_token_reuse", async () => {
    const { owner, client, connection, record } = await connected("Reused Refresh");
    const refresh = { grant_type: "refresh_token", refresh_token: connection.tokens.refresh_token! };
    expect((await tokenEndpoint(`${t.url}/token`, client, refresh)).status).toBe(200);
    expect((await tokenEndpoint(`${t.url}/token`, client, refresh)).body.error).toBe("invalid_grant");
    const s = await shown(owner, record.id);
    expect(s.api).toMatchObject({ status: "revoked", revoked_by: "system", revoked_reason: "refresh_token_reuse" });
    expect(s.settingsHint).toContain("by the system: a used refresh token was presented again");
    expect(s.activity.summary).toBe("Revoked app “Reused Refresh” (a used refresh token was presented again)");
  });

  test("when an operator revokes it with the CLI, then the command line is named (no person id)", async () => {
    const { owner, record } = await connected("Operator Revoked");
    const run = await runCli(["app", "revoke", "--id", record.id, "--json"], { databaseUrl: t.config.databaseUrl });
    expect(run.code).toBe(0);
    const s = await shown(owner, record.id);
    expect(s.api).toMatchObject({ revoked_by: "user", revoked_by_user_id: null, revoked_by_name: "command line" });
    expect(s.settingsHint).toContain("by an operator (command line)");
  }, 60_000);
});
