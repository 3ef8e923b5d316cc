import { errors } from "oidc-provider";
import { purgeExpiredOidcModels, storageId } from "../../../src/oauth/prisma-adapter.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorizationRequest, authorize, connect, discover, HttpBrowser } from "../../support/connect-flow.js";
import { makeClient, makeOwner, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function codeFor() {
  const { credentials } = await makeOwner(t.ctx);
  const client = await makeClient(t.ctx);
  const config = await discover(t.url, client);
  const started = await authorizationRequest(config, client);
  const outcome = await authorize(new HttpBrowser(), started.url, client.redirectUri, { user: credentials, decision: "allow" });
  if (outcome.kind !== "callback") throw new Error("no callback");
  return { code: outcome.url.searchParams.get("code")!, client };
}

describe("the Prisma adapter", () => {
  test("when two requests consume one code at the same moment, then exactly one wins and the grant is revoked", async () => {
    const { code } = await codeFor();
    const { AuthorizationCode } = t.ctx.oauth.provider;
    // Both read the code while it is still unconsumed, as two racing token requests would.
    const [a, b] = await Promise.all([AuthorizationCode.find(code), AuthorizationCode.find(code)]);
    expect(a?.isValid).toBe(true);
    expect(b?.isValid).toBe(true);
    const results = await Promise.allSettled([a!.consume(), b!.consume()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(errors.InvalidGrant);
    expect(await t.ctx.oauth.provider.Grant.find(a!.grantId!)).toBeUndefined();
    const link = await t.ctx.db.authorizedAppGrant.findUniqueOrThrow({ where: { grantId: a!.grantId! } });
    expect(link.revokedAt).not.toBeNull();
  });

  test("when a refresh token is consumed twice at the same moment, then one of them fails", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials });
    const { RefreshToken } = t.ctx.oauth.provider;
    const [a, b] = await Promise.all([RefreshToken.find(tokens.refresh_token!), RefreshToken.find(tokens.refresh_token!)]);
    const results = await Promise.allSettled([a!.consume(), b!.consume()]);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
  });

  test("when a flow has run, then every model it used is in the database and no code or token appears in it", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const browser = new HttpBrowser();
    const config = await discover(t.url, client);
    const pending = await authorize(browser, (await authorizationRequest(config, client)).url, client.redirectUri, { user: credentials });
    expect(pending.kind).toBe("page");
    expect(await t.ctx.db.oidcModel.count({ where: { type: "Interaction" } })).toBeGreaterThan(0);
    // The pending interaction's id (in its cookie and its URL) and the provider's session cookie.
    const interactionId = pending.kind === "page" ? pending.url.pathname.split("/")[2] : "";
    const pendingSecrets = [interactionId, browser.cookie("_interaction")!, browser.cookie("_session")!];
    expect(pendingSecrets.every((s) => s && s.length >= 21)).toBe(true);
    expect(JSON.stringify(await t.ctx.db.oidcModel.findMany())).not.toMatch(new RegExp(pendingSecrets.join("|")));

    const { tokens, callbackUrl } = await connect({ issuer: t.url, client, user: credentials, browser });
    const rows = await t.ctx.db.oidcModel.findMany();
    const types = new Set(rows.map((r) => r.type));
    for (const type of ["Session", "Grant", "AuthorizationCode", "AccessToken", "RefreshToken"]) {
      expect(types).toContain(type);
    }
    const dump = JSON.stringify(rows);
    for (const secret of [tokens.access_token, tokens.refresh_token!, callbackUrl.searchParams.get("code")!, browser.cookie("_session")!]) {
      expect(dump).not.toContain(secret);
    }
  });

  test("when a provider session is found by its uid, then it can be saved and destroyed, and its stand-in id opens nothing", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { browser } = await connect({ issuer: t.url, client, user: credentials });
    const cookie = browser.cookie("_session")!;
    const { Session } = t.ctx.oauth.provider;
    const byCookie = await Session.find(cookie);
    expect(byCookie?.accountId).toEqual(expect.any(String));
    const row = await t.ctx.db.oidcModel.findUniqueOrThrow({ where: { id_type: { id: storageId("Session", cookie), type: "Session" } } });
    expect(row.id).not.toBe(cookie);

    const byUid = await Session.findByUid(byCookie!.uid);
    expect(byUid?.accountId).toBe(byCookie!.accountId);
    expect(await Session.find(byUid!.jti)).toBeUndefined();
    byUid!.state = { note: "saved through a uid lookup" };
    await byUid!.persist();
    expect((await Session.find(cookie))?.state).toEqual({ note: "saved through a uid lookup" });
    await byUid!.destroy();
    expect(await Session.find(cookie)).toBeUndefined();
    expect(await t.ctx.db.oidcModel.count({ where: { type: "Session", id: row.id } })).toBe(0);
  });

  test("when rows are past their expiry, then the purge removes them and keeps the live ones", async () => {
    const past = new Date(Date.now() - 1000);
    const future = new Date(Date.now() + 3600_000);
    await t.ctx.db.oidcModel.createMany({
      data: [
        { id: "purge-old", type: "Interaction", payload: "{}", expiresAt: past },
        { id: "purge-live", type: "Interaction", payload: "{}", expiresAt: future },
        { id: "purge-forever", type: "Grant", payload: "{}", expiresAt: null },
      ],
    });
    expect(await purgeExpiredOidcModels(t.ctx.db)).toBeGreaterThanOrEqual(1);
    const left = await t.ctx.db.oidcModel.findMany({ where: { id: { startsWith: "purge-" } } });
    expect(left.map((r) => r.id).sort()).toEqual(["purge-forever", "purge-live"]);
  });
});
