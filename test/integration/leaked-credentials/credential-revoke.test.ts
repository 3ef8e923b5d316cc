import crypto from "node:crypto";
import * as oauth from "openid-client";
import { listActivity } from "../../../src/activity/list-activity.js";
import { generateKey } from "../../../src/api-keys/key-format.js";
import { revokeApiKey } from "../../../src/api-keys/revoke-api-key.js";
import { OPERATOR } from "../../../src/access/access-scope.js";
import { CLI } from "../../../src/audit/audit-log.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeKey } from "../../support/fixtures.js";
import { makeClient, makeOwner, oauthErrorOf, v1Status } from "../../support/oauth-helpers.js";
import { withLastCharChanged } from "../../support/tamper.js";

let t: TestServer;
let owner: Awaited<ReturnType<typeof makeOwner>>;
beforeAll(async () => {
  t = await startTestServer({ CREDENTIAL_REVOKE_PER_HOUR: "1000" });
  owner = await makeOwner(t.ctx);
});
afterAll(() => t.close());

/** POST /credentials/revoke with a JSON body (or raw text); status, body and headers. */
async function report(body: unknown, init: { raw?: string; contentType?: string; base?: string } = {}) {
  const res = await fetch(`${init.base ?? t.url}/credentials/revoke`, {
    method: "POST",
    headers: { "content-type": init.contentType ?? "application/json", accept: "*/*" },
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const auditOf = (targetId: string) => t.ctx.db.auditEvent.findMany({ where: { targetId }, orderBy: { createdAt: "asc" } });
const randomToken = () => crypto.randomBytes(32).toString("base64url");
/** A well-shaped key whose checksum is wrong. */
const badChecksum = withLastCharChanged;

describe("POST /credentials/revoke with API keys", () => {
  test("when a batch mixes a live, a revoked, an expired, an unknown and malformed keys, then only the live key is revoked, as reported leaked by the address", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const bystander = await makeKey(t.ctx, owner.workspace.id);
    const revoked = await makeKey(t.ctx, owner.workspace.id);
    await revokeApiKey(t.ctx.apiKeys, { id: revoked.record.id, scope: OPERATOR, actor: CLI });
    const expired = await makeKey(t.ctx, owner.workspace.id, "read_write", new Date(Date.now() + 60_000));
    await t.ctx.db.apiKey.update({ where: { id: expired.record.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await v1Status(t.url, live.key)).toBe(200);

    const batch = [live.key, revoked.key, expired.key, generateKey(), badChecksum(bystander.key), "mrk_short", "not a credential", live.key];
    const res = await report({ credentials: batch });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ received: batch.length });

    expect(await v1Status(t.url, live.key)).toBe(401);
    expect(await v1Status(t.url, bystander.key)).toBe(200);
    const row = await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: live.record.id } });
    expect(row).toMatchObject({ status: "revoked", revokedReason: "reported_leaked", revokedReporter: "127.0.0.1", revokedUrl: null });
    // The key sent twice is revoked once; the others keep what they had.
    expect((await auditOf(live.record.id)).map((e) => [e.action, e.actorType, JSON.parse(e.details ?? "{}").reason])).toEqual([
      ["api_key.created", "cli", undefined],
      ["api_key.revoked", "system", "reported_leaked"],
    ]);
    expect(await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: revoked.record.id } })).toMatchObject({ revokedReason: null });
    expect(await t.ctx.db.apiKey.findUniqueOrThrow({ where: { id: expired.record.id } })).toMatchObject({ status: "active", revokedReason: null });
  });

  test("when a batch holds nothing valid, then the answer is the same as for a batch that revoked something", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const withLive = await report({ credentials: [live.key, generateKey()] });
    const withNothing = await report({ credentials: [generateKey(), randomToken()] });
    const again = await report({ credentials: [live.key, generateKey()] });
    for (const res of [withLive, withNothing, again]) {
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ received: 2 });
    }
    expect(await v1Status(t.url, live.key)).toBe(401);
  });

  test("when a key is revoked by a report, then the activity says so with the reporter's address", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    await report({ credentials: [live.key] });
    const page = await listActivity(t.ctx.db, { workspaceIds: [owner.workspace.id], limit: 50, after: null });
    const line = page.data.find((e) => e.target.id === live.record.id && e.action === "api_key.revoked");
    expect(line?.summary).toBe(`Revoked API key “${live.record.name}” (${live.record.prefix}…) (reported leaked by 127.0.0.1)`);
    expect(line?.actor.label).toBe("System");
  });
});

describe("POST /credentials/revoke with OAuth tokens", () => {
  test("when an access token of one connection leaks, then that grant ends and the app's other connection goes on", async () => {
    const client = await makeClient(t.ctx);
    const first = await connect({ issuer: t.url, client, user: owner.credentials });
    const second = await connect({ issuer: t.url, client, user: owner.credentials });
    expect(await v1Status(t.url, first.tokens.access_token)).toBe(200);

    const res = await report({ credentials: [first.tokens.access_token, randomToken(), "x".repeat(43)] });
    expect(res).toMatchObject({ status: 202, body: { received: 3 } });

    expect(await v1Status(t.url, first.tokens.access_token)).toBe(401);
    expect(await oauthErrorOf(oauth.refreshTokenGrant(first.config, first.tokens.refresh_token!))).toBe("invalid_grant");
    expect(await v1Status(t.url, second.tokens.access_token)).toBe(200);
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
    expect(record.status).toBe("active");
    const grants = await t.ctx.db.authorizedAppGrant.findMany({ where: { authorizedAppId: record.id }, orderBy: { createdAt: "asc" } });
    expect(grants.map((g) => g.revokedAt !== null)).toEqual([true, false]);

    const ended = (await auditOf(record.id)).filter((e) => e.action === "authorized_app.grant_revoked");
    expect(ended).toHaveLength(1);
    expect(JSON.parse(ended[0].details ?? "{}")).toMatchObject({ reason: "reported_leaked", reporter: "127.0.0.1", app_name: "Test App" });
    const page = await listActivity(t.ctx.db, { workspaceIds: [owner.workspace.id], limit: 100, after: null });
    expect(page.data.find((e) => e.id === ended[0].id)?.summary).toBe("Ended one connection of app “Test App” (reported leaked by 127.0.0.1)");
  });

  test("when the refresh token of an app's only connection leaks, then its tokens stop working and the record is revoked as reported leaked", async () => {
    const client = await makeClient(t.ctx);
    const only = await connect({ issuer: t.url, client, user: owner.credentials });
    // Old enough that it no longer counts as a connection still being completed.
    await t.ctx.db.authorizedAppGrant.updateMany({ where: { authorizedApp: { clientId: client.id } }, data: { createdAt: new Date(Date.now() - 10 * 60_000) } });

    expect((await report({ credentials: [only.tokens.refresh_token!] })).status).toBe(202);

    expect(await v1Status(t.url, only.tokens.access_token)).toBe(401);
    expect(await oauthErrorOf(oauth.refreshTokenGrant(only.config, only.tokens.refresh_token!))).toBe("invalid_grant");
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
    expect(record).toMatchObject({ status: "revoked", revokedBy: "system", revokedReason: "reported_leaked" });
  });

  test("when a consumed refresh token is reported, then nothing ends (it is no longer a usable credential)", async () => {
    const client = await makeClient(t.ctx);
    const conn = await connect({ issuer: t.url, client, user: owner.credentials });
    const refreshed = await oauth.refreshTokenGrant(conn.config, conn.tokens.refresh_token!);
    expect((await report({ credentials: [conn.tokens.refresh_token!] })).status).toBe(202);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);
  });
});

describe("POST /credentials/revoke refuses bad requests with the JSON envelope", () => {
  test.each([
    ["no credentials field", 422, {}],
    ["an empty list", 422, { credentials: [] }],
    ["more than 100", 422, { credentials: Array.from({ length: 101 }, () => generateKey()) }],
    ["a number among the strings", 422, { credentials: ["mrk_x", 5] }],
    ["an unknown field", 422, { credentials: ["a"], workspace_id: "w" }],
  ])("when the body has %s, then %i", async (_name, status, body) => {
    const res = await report(body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { type: "invalid_request_error" } });
  });

  test("when the body is not JSON, then 415 or 400", async () => {
    expect((await report(null, { raw: "credentials=mrk_x", contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    const broken = await report(null, { raw: "{", contentType: "application/json" });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "invalid_json" } } });
  });

  test("when exactly 100 are sent, then they are accepted", async () => {
    const res = await report({ credentials: Array.from({ length: 100 }, () => generateKey()) });
    expect(res).toMatchObject({ status: 202, body: { received: 100 } });
  });

  test("when credentials are reported, then no log line holds any of them", async () => {
    const live = await makeKey(t.ctx, owner.workspace.id);
    const unknown = generateKey();
    await report({ credentials: [live.key, unknown] });
    expect(t.logs.text).not.toContain(live.key);
    expect(t.logs.text).not.toContain(unknown);
  });
});

describe("POST /credentials/revoke is rate-limited per address", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ CREDENTIAL_REVOKE_PER_HOUR: "2" });
  });
  afterAll(() => limited.close());

  test("when an address sends more requests than the hourly limit, then the next is 429 with Retry-After and revokes nothing", async () => {
    const o = await makeOwner(limited.ctx);
    const key = await makeKey(limited.ctx, o.workspace.id);
    expect((await report({ credentials: [generateKey()] }, { base: limited.url })).status).toBe(202);
    expect((await report({ credentials: [generateKey()] }, { base: limited.url })).status).toBe(202);
    const refused = await report({ credentials: [key.key] }, { base: limited.url });
    expect(refused).toMatchObject({ status: 429, body: { error: { type: "rate_limit_error" } } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await v1Status(limited.url, key.key)).toBe(200);
  });
});
