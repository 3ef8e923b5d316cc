import * as oauth from "openid-client";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorizationRequest, authorize, connect, discover, formOf, HttpBrowser } from "../../support/connect-flow.js";
import { makeClient, makeOwner, tokenEndpoint, v1Status } from "../../support/oauth-helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Runs the flow up to the redirect back to the app and returns the code (not yet exchanged). */
async function codeFor(client: Awaited<ReturnType<typeof makeClient>>, credentials: { email: string; password: string }) {
  const config = await discover(t.url, client);
  const started = await authorizationRequest(config, client);
  const outcome = await authorize(new HttpBrowser(), started.url, client.redirectUri, { user: credentials, decision: "allow" });
  if (outcome.kind !== "callback") throw new Error("no callback");
  return { code: outcome.url.searchParams.get("code")!, verifier: started.codeVerifier, callback: outcome.url, config, started };
}

const exchange = (client: Awaited<ReturnType<typeof makeClient>>, code: string, verifier: string) =>
  tokenEndpoint(`${t.url}/token`, client, {
    grant_type: "authorization_code",
    code,
    code_verifier: verifier,
    redirect_uri: client.redirectUri,
  });

async function recordOf(clientId: string) {
  return t.ctx.db.authorizedApp.findFirstOrThrow({ where: { clientId }, orderBy: { authorizedAt: "desc" } });
}

describe("authorization codes", () => {
  test("when a code is redeemed twice, then the second gets invalid_grant and what the first issued is revoked", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { code, verifier } = await codeFor(client, credentials);
    const first = await exchange(client, code, verifier);
    expect(first.status).toBe(200);
    expect(await v1Status(t.url, first.body.access_token as string)).toBe(200);

    const second = await exchange(client, code, verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe("invalid_grant");
    expect(await v1Status(t.url, first.body.access_token as string)).toBe(401);
    const refresh = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: first.body.refresh_token as string });
    expect(refresh.body.error).toBe("invalid_grant");
    expect(await recordOf(client.id)).toMatchObject({ status: "revoked", revokedBy: "system" });
  });

  test("when one code is redeemed 20 times in parallel, then exactly one succeeds and the others get invalid_grant", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { code, verifier } = await codeFor(client, credentials);
    const results = await Promise.all(Array.from({ length: 20 }, () => exchange(client, code, verifier)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(19);
    for (const r of results.filter((r) => r.status === 400)) expect(r.body.error).toBe("invalid_grant");
  });

  test("when the code_verifier is wrong, then the code is refused", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { code } = await codeFor(client, credentials);
    const res = await exchange(client, code, oauth.randomPKCECodeVerifier());
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_grant");
  });

  test("when the code is exchanged with a different redirect_uri, then it is refused", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx, { redirectUris: ["http://127.0.0.1:9/callback", "http://127.0.0.1:9/other"] });
    const { code, verifier } = await codeFor(client, credentials);
    const res = await tokenEndpoint(`${t.url}/token`, client, {
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: "http://127.0.0.1:9/other",
    });
    expect(res.body.error).toBe("invalid_grant");
  });

  test("when the code lives in storage, then it expires after 60 seconds and the grant does not expire", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const before = Date.now();
    await codeFor(client, credentials);
    const after = Date.now();
    const record = await recordOf(client.id);
    const link = await t.ctx.db.authorizedAppGrant.findFirstOrThrow({ where: { authorizedAppId: record.id } });
    const code = await t.ctx.db.oidcModel.findFirstOrThrow({ where: { type: "AuthorizationCode", grantId: link.grantId } });
    // Issued somewhere during the flow (which may take seconds on a loaded machine), to live 60 s.
    expect(code.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000 - 1_000);
    expect(code.expiresAt!.getTime()).toBeLessThanOrEqual(after + 60_000 + 1_000);
    const grant = await t.ctx.db.oidcModel.findUniqueOrThrow({ where: { id_type: { id: link.grantId, type: "Grant" } } });
    expect(grant.expiresAt!.getTime() - Date.now()).toBeGreaterThan(50 * 365 * 24 * 3600_000);
  });
});

describe("PKCE is required for every client", () => {
  async function authorizationStatus(client: Awaited<ReturnType<typeof makeClient>>, extra: Record<string, string>) {
    const url = new URL(`${t.url}/auth`);
    const params: Record<string, string> = {
      client_id: client.id,
      response_type: "code",
      redirect_uri: client.redirectUri,
      scope: "subscribers:read",
      state: "s1",
      ...extra,
    };
    for (const [k, v] of Object.entries(params)) if (v !== "") url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: "manual" });
    return new URL(res.headers.get("location")!, t.url);
  }
  const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  test.each([
    ["a confidential client", false],
    ["a public client", true],
  ])("when %s sends no code_challenge, then the request is refused with invalid_request", async (_name, isPublic) => {
    const client = await makeClient(t.ctx, { isPublic });
    const back = await authorizationStatus(client, {});
    expect(back.origin + back.pathname).toBe(client.redirectUri);
    expect(back.searchParams.get("error")).toBe("invalid_request");
  });

  test("when the plain method is used, then the request is refused", async () => {
    const client = await makeClient(t.ctx);
    const back = await authorizationStatus(client, { code_challenge: challenge, code_challenge_method: "plain" });
    expect(back.searchParams.get("error")).toBe("invalid_request");
  });

  test("when S256 is used, then the request goes on to the person", async () => {
    const client = await makeClient(t.ctx);
    const next = await authorizationStatus(client, { code_challenge: challenge, code_challenge_method: "S256" });
    expect(next.pathname).toMatch(/^\/interaction\//);
  });
});

describe("redirect URIs match exactly", () => {
  const registered = "https://good.example/callback";
  test.each([
    ["an extra path", "https://good.example/callback/extra"],
    ["a trailing slash", "https://good.example/callback/"],
    ["an added query", "https://good.example/callback?next=1"],
    ["another port", "https://good.example:8443/callback"],
    ["another host", "https://evil.example/callback"],
    ["user info pointing elsewhere", "https://good.example@evil.example/callback"],
    ["a changed host case", "https://GOOD.example/callback"],
    ["a changed path case", "https://good.example/Callback"],
    ["http instead of https", "http://good.example/callback"],
    ["a fragment", "https://good.example/callback#x"],
  ])("when the redirect_uri has %s, then the person sees an error page and is not redirected", async (_name, variant) => {
    const client = await makeClient(t.ctx, { redirectUris: [registered] });
    const url = new URL(`${t.url}/auth`);
    url.search = new URLSearchParams({
      client_id: client.id,
      response_type: "code",
      redirect_uri: variant,
      scope: "subscribers:read",
      state: "<b>state</b>",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    const html = await res.text();
    expect(html).toContain("not registered");
    expect(html).not.toContain("<b>state</b>");
  });

  test("when the redirect_uri is exactly the registered one, then the request goes on", async () => {
    const client = await makeClient(t.ctx, { redirectUris: [registered] });
    const config = await discover(t.url, { ...client, redirectUri: registered });
    const started = await authorizationRequest(config, { ...client, redirectUri: registered });
    const res = await fetch(started.url, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/\/interaction\//);
  });
});

describe("native apps on a loopback redirect (RFC 8252 §7.3)", () => {
  /** Status and Location of an /auth request for this client with this redirect_uri. */
  async function authorizeWith(clientId: string, redirectUri: string) {
    const url = new URL(`${t.url}/auth`);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "subscribers:read",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const res = await fetch(url, { redirect: "manual" });
    await res.arrayBuffer();
    return { status: res.status, location: res.headers.get("location") };
  }

  test("when a public app registered on 127.0.0.1 comes back on two other ports, then both requests go on", async () => {
    const client = await makeClient(t.ctx, { isPublic: true, redirectUris: ["http://127.0.0.1:9/callback"] });
    for (const port of [53123, 61234]) {
      const next = await authorizeWith(client.id, `http://127.0.0.1:${port}/callback`);
      expect(next.status).toBe(303);
      expect(next.location).toMatch(/^\/interaction\//);
    }
  });

  test("when the whole flow runs on a port other than the registered one, then the code comes back there and is exchanged", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const registered = await makeClient(t.ctx, { isPublic: true, redirectUris: ["http://127.0.0.1:9/callback"] });
    const { tokens } = await connect({ issuer: t.url, client: { ...registered, redirectUri: "http://127.0.0.1:49152/callback" }, user: credentials });
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
  });

  test.each([
    ["a confidential app on another port", false, "http://127.0.0.1:53123/callback"],
    ["a public app on another path", true, "http://127.0.0.1:53123/other"],
    ["a public app on another loopback host", true, "http://[::1]:9/callback"],
  ])("when %s comes back, then the person sees an error page", async (_name, isPublic, variant) => {
    const client = await makeClient(t.ctx, { isPublic, redirectUris: ["http://127.0.0.1:9/callback"] });
    const next = await authorizeWith(client.id, variant);
    expect(next.status).toBe(400);
    expect(next.location).toBeNull();
  });
});

describe("introspection and revocation need client authentication (RFC 7662 §2.1, RFC 7009 §2.1)", () => {
  test.each(["/token/introspection", "/token/revocation"])(
    "when %s is called without any client authentication, then 401 invalid_client with a Basic challenge",
    async (path) => {
      const res = await fetch(`${t.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: "x".repeat(43) }).toString(),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
      expect(await res.json()).toEqual({ error: "invalid_client", error_description: expect.any(String) });
    },
  );

  test.each(["/token/introspection", "/token/revocation"])("when %s is called by an authenticated app, then it answers 200", async (path) => {
    const client = await makeClient(t.ctx);
    const res = await tokenEndpoint(`${t.url}${path}`, client, { token: "x".repeat(43) });
    expect(res.status).toBe(200);
  });

  test("when the app's secret is wrong, then the library's own 401 invalid_client is kept", async () => {
    const client = await makeClient(t.ctx);
    const res = await tokenEndpoint(`${t.url}/token/introspection`, { id: client.id, secret: "wrong" }, { token: "x".repeat(43) });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });

  test("when a request names no client but is malformed otherwise, then other errors are left as they were", async () => {
    const client = await makeClient(t.ctx);
    const res = await tokenEndpoint(`${t.url}/token/introspection`, client, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
  });
});

describe("refresh tokens", () => {
  test("when a refresh token is used, then a new one replaces it and lives 90 days again", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await v1Status(t.url, refreshed.access_token)).toBe(200);
    const rows = await t.ctx.db.oidcModel.findMany({ where: { type: "RefreshToken", consumedAt: null } });
    const newest = rows.sort((a, b) => b.expiresAt!.getTime() - a.expiresAt!.getTime())[0];
    expect(newest.expiresAt!.getTime() - Date.now()).toBeGreaterThan(89.9 * 24 * 3600_000);
  });

  test("when a rotated refresh token is used again, then it fails and the whole grant is revoked", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, tokens } = await connect({ issuer: t.url, client, user: credentials });
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    const reuse = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(reuse.body.error).toBe("invalid_grant");
    const next = await tokenEndpoint(`${t.url}/token`, client, { grant_type: "refresh_token", refresh_token: refreshed.refresh_token! });
    expect(next.body.error).toBe("invalid_grant");
    expect(await v1Status(t.url, refreshed.access_token)).toBe(401);
    expect(await v1Status(t.url, tokens.access_token)).toBe(401);
    expect(await recordOf(client.id)).toMatchObject({ status: "revoked", revokedBy: "system" });
  });

  test("when offline_access is not requested, then no refresh token is issued", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client, user: credentials, scope: "subscribers:read" });
    expect(tokens.refresh_token).toBeUndefined();
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
  });
});

describe("one app cannot use another app's tokens", () => {
  test("when app B refreshes or revokes app A's token, then it is refused and A's token keeps working", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const a = await makeClient(t.ctx);
    const b = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client: a, user: credentials });

    const refresh = await tokenEndpoint(`${t.url}/token`, b, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe("invalid_grant");
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      const revoke = await tokenEndpoint(`${t.url}/token/revocation`, b, { token });
      expect(revoke.status).toBe(400);
      expect(revoke.body.error).toBe("invalid_request");
    }
    expect(await v1Status(t.url, tokens.access_token)).toBe(200);
    const own = await tokenEndpoint(`${t.url}/token`, a, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(own.status).toBe(200);
  });

  test("when app B introspects app A's token, then it is reported inactive; A sees it active with its workspace", async () => {
    const { credentials, workspace } = await makeOwner(t.ctx);
    const a = await makeClient(t.ctx);
    const b = await makeClient(t.ctx);
    const { tokens } = await connect({ issuer: t.url, client: a, user: credentials });
    const byB = await tokenEndpoint(`${t.url}/token/introspection`, b, { token: tokens.access_token });
    expect(byB.body).toEqual({ active: false });
    const byA = await tokenEndpoint(`${t.url}/token/introspection`, a, { token: tokens.access_token });
    expect(byA.body).toMatchObject({ active: true, client_id: a.id, workspace_id: workspace.id, token_type: "Bearer" });
    expect(String(byA.body.scope).split(" ").sort()).toEqual(["subscribers:read", "subscribers:write", "tags:read", "tags:write"]);
  });
});

/** Signs a browser in to Settings through /login (no OAuth flow at all). */
async function signInToSettings(browser: HttpBrowser, credentials: { email: string; password: string }) {
  const page = await browser.get(`${t.url}/login`);
  const { csrf } = formOf(await page.text());
  const res = await browser.postForm(`${t.url}/login`, { _csrf: csrf, ...credentials, return_to: "/settings" });
  expect(res.status).toBe(303);
}

describe("prompt=none", () => {
  test("when the person only signed in to Settings, then an app asking for no interaction gets consent_required", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const browser = new HttpBrowser();
    await signInToSettings(browser, credentials);
    const started = await authorizationRequest(await discover(t.url, client), client, { extra: { prompt: "none" } });
    const outcome = await authorize(browser, started.url, client.redirectUri, {});
    expect(outcome.kind).toBe("callback");
    if (outcome.kind === "callback") expect(outcome.url.searchParams.get("error")).toBe("consent_required");
  });

  test("when the browser is signed in nowhere, then an app asking for no interaction gets login_required", async () => {
    const client = await makeClient(t.ctx);
    const started = await authorizationRequest(await discover(t.url, client), client, { extra: { prompt: "none" } });
    const outcome = await authorize(new HttpBrowser(), started.url, client.redirectUri, {});
    expect(outcome.kind).toBe("callback");
    if (outcome.kind === "callback") expect(outcome.url.searchParams.get("error")).toBe("login_required");
  });

  test("when the person connected an app and then signed out of Settings, then prompt=none gets login_required", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, browser } = await connect({ issuer: t.url, client, user: credentials });
    expect(browser.cookie("_session")).toEqual(expect.any(String));
    browser.forget("wa_session");
    const started = await authorizationRequest(config, client, { extra: { prompt: "none" } });
    const outcome = await authorize(browser, started.url, client.redirectUri, {});
    expect(outcome.kind).toBe("callback");
    if (outcome.kind === "callback") expect(outcome.url.searchParams.get("error")).toBe("login_required");
  });

  test("when the person signed in to Settings, then the connect flow goes straight to consent and completes", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const browser = new HttpBrowser();
    await signInToSettings(browser, credentials);
    const started = await authorizationRequest(await discover(t.url, client), client);
    const page = await authorize(browser, started.url, client.redirectUri, {});
    expect(page.kind === "page" && page.html.includes('name="decision"')).toBe(true);
    const outcome = await authorize(browser, started.url, client.redirectUri, { decision: "allow" });
    expect(outcome.kind === "callback" && outcome.url.searchParams.get("code")).toEqual(expect.any(String));
  });

  test("when another person signs in to Settings in the same browser, then the provider's session follows them", async () => {
    const first = await makeOwner(t.ctx);
    const second = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, browser } = await connect({ issuer: t.url, client, user: first.credentials });
    browser.forget("wa_session");
    await signInToSettings(browser, second.credentials);
    const started = await authorizationRequest(config, client);
    const page = await authorize(browser, started.url, client.redirectUri, {});
    expect(page.kind === "page" && page.html).toContain(second.user.email);
  });

  test("when the person is signed in and the app asks for no interaction, then it gets consent_required", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const { config, browser } = await connect({ issuer: t.url, client, user: credentials });
    const started = await authorizationRequest(config, client, { extra: { prompt: "none" } });
    const outcome = await authorize(browser, started.url, client.redirectUri, {});
    expect(outcome.kind).toBe("callback");
    if (outcome.kind === "callback") {
      expect(outcome.url.searchParams.get("error")).toBe("consent_required");
      expect(outcome.url.searchParams.get("code")).toBeNull();
    }
  });
});

describe("state", () => {
  test("when state holds HTML, then it comes back exactly and no page renders it raw", async () => {
    const { credentials } = await makeOwner(t.ctx);
    const client = await makeClient(t.ctx);
    const state = `<script>alert("x")</script>&'"<img src=x onerror=alert(1)>`;
    const config = await discover(t.url, client);
    const started = await authorizationRequest(config, client, { state });
    const browser = new HttpBrowser();
    const consentPage = await authorize(browser, started.url, client.redirectUri, { user: credentials });
    expect(consentPage.kind).toBe("page");
    if (consentPage.kind === "page") {
      expect(consentPage.html).not.toContain("<script>alert");
      expect(consentPage.html).not.toContain("<img src=x");
    }
    const outcome = await authorize(browser, started.url, client.redirectUri, { user: credentials, decision: "allow" });
    expect(outcome.kind).toBe("callback");
    if (outcome.kind === "callback") {
      expect(outcome.url.searchParams.get("state")).toBe(state);
      expect(outcome.url.searchParams.get("iss")).toBe(t.url);
      const tokens = await oauth.authorizationCodeGrant(config, outcome.url, { pkceCodeVerifier: started.codeVerifier, expectedState: state });
      expect(tokens.access_token).toEqual(expect.any(String));
    }
  });
});
