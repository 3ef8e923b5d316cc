import * as oauth from "openid-client";
import { CLI } from "../../../src/audit/audit-log.js";
import { rotateClientSecret } from "../../../src/oauth/clients/rotate-client-secret.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect, discover } from "../../support/connect-flow.js";
import { makeClient, makeOwner, oauthErrorOf, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe("the connect flow with openid-client as the app", () => {
  test("when an owner approves, then the app gets tokens that open /v1 on the chosen workspace", async () => {
    const { workspace, credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials });
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(" ").sort()).toEqual(["subscribers:read", "subscribers:write", "tags:read", "tags:write"]);
    const res = await fetch(`${t.url}/v1/workspace`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { id: workspace.id, name: workspace.name } });
  });

  test("when the app refreshes and then revokes its refresh token, then the new token works until the revocation", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);

    await oauth.tokenRevocation(config, refreshed.refresh_token!);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(401);
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
    expect(await oauthErrorOf(oauth.refreshTokenGrant(config, refreshed.refresh_token!))).toBe("invalid_grant");
    const record = await t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId: client.id } });
    expect(record).toMatchObject({ status: "revoked", revokedBy: "app" });
  });

  test("when the app revokes its access token, then that token stops working at once", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    await oauth.tokenRevocation(config, tokens.access_token);
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
    const introspection = await oauth.tokenIntrospection(config, tokens.access_token);
    expect(introspection.active).toBe(false);
  });

  test("when the app authenticates with client_secret_post, then the flow works the same", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials, auth: "post" });
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
  });

  test("when a public client connects, then PKCE alone protects the code and it gets tokens without a secret", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { isPublic: true });
    expect(client.secret).toBeNull();
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);
  });
});

describe("client secrets", () => {
  test("when the secret is wrong, then the token endpoint refuses the client; the right one is accepted", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials });
    const wrong = await tokenEndpoint(`${t.url}/token`, { id: client.id, secret: `${client.secret}x` }, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token!,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_client");
    const right = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(right.status).toBe(200);
  });

  test("when the stored digest itself is presented as the secret, then it is refused", async () => {
    const client = await makeClient(t.ctx);
    const row = await t.ctx.db.oAuthClient.findUniqueOrThrow({ where: { id: client.id } });
    expect(row.secretDigest).not.toContain(client.secret!);
    const res = await tokenEndpoint(`${t.url}/token/introspection`, { id: client.id, secret: row.secretDigest }, { token: "x" });
    expect(res.status).toBe(401);
  });

  test("when the secret is rotated, then the old one fails at once and the new one works", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials });
    const rotated = await rotateClientSecret({ db: t.ctx.db, feed: t.ctx.feed }, { id: client.id, actor: CLI });
    const old = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(old.status).toBe(401);
    const config = await discover(t.url, { ...client, secret: rotated.clientSecret });
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);
  });
});
