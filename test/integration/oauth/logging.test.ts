import * as oauth from "openid-client";
import { startTestServer, type TestServer } from "../../support/app.js";
import { connect } from "../../support/connect-flow.js";
import { makeClient, makeOwner, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ LOG_LEVEL: "trace" });
});
afterAll(() => t.close());

describe("logs of the OAuth flows", () => {
  test("when the whole flow runs, with failures, then no code, verifier, token, secret or password reaches the logs", async () => {
    const owner = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, tokens, callbackUrl, codeVerifier } = await connect({ issuer: t.url, client, user: owner.credentials });
    const code = callbackUrl.searchParams.get("code")!;
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    await oauth.tokenIntrospection(config, refreshed.access_token);
    // Failures: a replayed code, a reused refresh token, a wrong secret, a revoked token on /v1.
    await tokenEndpoint(`${t.url}/token`, client, { grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: client.redirectUri });
    await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    await tokenEndpoint(`${t.url}/token`, { id: client.id, secret: "wrong-secret" }, { grant_type: "refresh_token", refresh_token: refreshed.refresh_token! });
    await oauth.tokenRevocation(config, refreshed.refresh_token!).catch(() => undefined);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(401);

    const logs = t.logs.text;
    expect(logs).toContain("/token");
    expect(logs).toContain("/interaction/");
    for (const secret of [
      code,
      codeVerifier,
      tokens.access_token,
      tokens.refresh_token!,
      refreshed.access_token,
      refreshed.refresh_token!,
      client.secret!,
      owner.credentials.password,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
