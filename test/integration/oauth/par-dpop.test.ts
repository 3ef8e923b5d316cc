import crypto from "node:crypto";
import { exportJWK, SignJWT } from "jose";
import * as oauth from "openid-client";
import { purgeExpired } from "../../../src/housekeeping/purge-expired.js";
import { listClients } from "../../../src/oauth/clients/list-clients.js";
import { listen, startTestApp, startTestServer, type TestApp, type TestServer } from "../../support/app.js";
import { authorize, authorizationRequest, discover, HttpBrowser, type TestClient } from "../../support/connect-flow.js";
import { makeKey } from "../../support/fixtures.js";
import { onlyJson, runCli } from "../../support/cli.js";
import { makeClient, makeOwner, REDIRECT_URI } from "../../support/oauth-helpers.js";

let t: TestServer;
let owner: Awaited<ReturnType<typeof makeOwner>>;
beforeAll(async () => {
  t = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "1000" });
  owner = await makeOwner(t.ctx);
});
afterAll(() => t.close());

const SCOPE = "subscribers:read tags:read offline_access";

/** Code and PKCE verifier from an authorization request pushed to /request (RFC 9126), walked by a person. */
async function pushedAuthorization(config: oauth.Configuration, client: TestClient, dpop?: oauth.DPoPHandle) {
  const codeVerifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const url = await oauth.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: client.redirectUri,
      scope: SCOPE,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
    },
    { DPoP: dpop },
  );
  const outcome = await authorize(new HttpBrowser(), url, client.redirectUri, { user: owner.credentials, decision: "allow" });
  if (outcome.kind !== "callback") throw new Error(`the flow stopped at ${outcome.url} (${outcome.status})`);
  return { url, callback: outcome.url, codeVerifier, state };
}

/** The whole flow with PAR and, given a key, DPoP: tokens bound to that key. */
async function connectWithPar(client: TestClient, keyPair?: CryptoKeyPair) {
  const config = await discover(t.url, client);
  const dpop = keyPair ? oauth.getDPoPHandle(config, keyPair) : undefined;
  const { callback, codeVerifier, state } = await pushedAuthorization(config, client, dpop);
  const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state }, undefined, {
    DPoP: dpop,
  });
  return { config, dpop, tokens };
}

interface ProofClaims {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  /** The access token the proof is for (its ath); none when undefined. */
  token?: string;
}

/** A DPoP proof JWT made by hand, so each claim can be wrong on purpose. */
async function proof(keyPair: CryptoKeyPair, claims: ProofClaims): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: claims.htm ?? "GET",
    htu: claims.htu ?? `${t.url}/v1/workspace`,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    jti: claims.jti ?? crypto.randomUUID(),
  };
  if (claims.token) payload.ath = crypto.createHash("sha256").update(claims.token).digest("base64url");
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: await exportJWK(keyPair.publicKey) })
    .sign(keyPair.privateKey);
}

async function v1(base: string, authorization: string, dpopProof?: string, path = "/v1/workspace") {
  const headers: Record<string, string> = { authorization };
  if (dpopProof) headers.dpop = dpopProof;
  const res = await fetch(`${base}${path}`, { headers });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code, challenge: res.headers.get("www-authenticate") ?? "" };
}

describe("pushed authorization requests (RFC 9126)", () => {
  test("when an app pushes a request with offline_access and no prompt, then the person consents once and the app gets a refresh token and a working access token", async () => {
    const client = await makeClient(t.ctx);
    const { config, tokens } = await connectWithPar(client);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    const res = await oauth.fetchProtectedResource(config, tokens.access_token, new URL(`${t.url}/v1/workspace`), "GET");
    expect(res.status).toBe(200);
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  test("when a pushed request_uri is used a second time, then it is refused", async () => {
    const client = await makeClient(t.ctx);
    const config = await discover(t.url, client);
    const { url } = await pushedAuthorization(config, client);
    const again = await authorize(new HttpBrowser(), url, client.redirectUri, { user: owner.credentials, decision: "allow" });
    expect(again.kind === "callback" ? again.url.searchParams.get("error") : again.status).not.toBeNull();
    expect(again.kind === "callback" ? again.url.searchParams.has("code") : false).toBe(false);
  });
});

describe("DPoP-bound tokens (RFC 9449) on /v1", () => {
  let keyPair: CryptoKeyPair;
  let other: CryptoKeyPair;
  let token: string;
  let config: oauth.Configuration;
  let dpop: oauth.DPoPHandle;
  let refreshToken: string;
  const workspaceUrl = () => `${t.url}/v1/workspace`;

  beforeAll(async () => {
    keyPair = await oauth.randomDPoPKeyPair("ES256");
    other = await oauth.randomDPoPKeyPair("ES256");
    const client = await makeClient(t.ctx, { isPublic: true });
    const connected = await connectWithPar(client, keyPair);
    ({ config } = connected);
    dpop = connected.dpop!;
    token = connected.tokens.access_token;
    refreshToken = connected.tokens.refresh_token!;
    expect(connected.tokens.token_type.toLowerCase()).toBe("dpop");
  });

  test("when the app calls /v1 through openid-client with its key, then the bound token is served, request after request", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await oauth.fetchProtectedResource(config, token, new URL(workspaceUrl()), "GET", undefined, undefined, { DPoP: dpop });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { id: string } }).data.id).toBe(owner.workspace.id);
    }
  });

  test("when the stored token is read, then it carries the key thumbprint, never the token", async () => {
    const rows = await t.ctx.db.oidcModel.findMany({ where: { type: "AccessToken" } });
    const bound = rows.map((r) => JSON.parse(r.payload) as { jkt?: string }).filter((p) => p.jkt);
    expect(bound.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  test("when a hand-made proof is right in every claim, then it is accepted (the refused twins below differ in one claim each)", async () => {
    expect((await v1(t.url, `DPoP ${token}`, await proof(keyPair, { token }))).status).toBe(200);
  });

  test("when no proof is sent, then 401 invalid_dpop_proof with a DPoP challenge", async () => {
    const res = await v1(t.url, `DPoP ${token}`);
    expect(res).toMatchObject({ status: 401, code: "invalid_dpop_proof" });
    // RFC 9728 §5.1: every /v1 401 challenge also names the protected-resource metadata.
    expect(res.challenge).toMatch(
      /^DPoP error="invalid_dpop_proof", error_description="[^"]+", algs="ES256 Ed25519 EdDSA", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/v1"$/,
    );
  });

  test.each([
    ["htu names another host than ISSUER", { htu: "http://localhost:1/v1/workspace" }],
    ["htu names another path", { htu: "" }],
    ["htm is POST for a GET", { htm: "POST" }],
    ["iat is two minutes old", { iat: Math.floor(Date.now() / 1000) - 120 }],
    ["iat is two minutes ahead", { iat: Math.floor(Date.now() / 1000) + 120 }],
    ["ath is missing", { token: undefined }],
    ["ath is for another token", { token: "another-token" }],
  ])("when the proof's %s, then 401 invalid_dpop_proof", async (_what, claims: ProofClaims) => {
    const htu = claims.htu === "" ? `${t.url}/v1/tags` : claims.htu;
    const hand = await proof(keyPair, { token, ...claims, htu });
    expect(await v1(t.url, `DPoP ${token}`, hand)).toMatchObject({ status: 401, code: "invalid_dpop_proof" });
  });

  test("when the request names another host (Host, X-Forwarded-Host) and the proof follows it, then the proof is refused: htu comes from ISSUER", async () => {
    const forged = await proof(keyPair, { token, htu: "http://evil.example/v1/workspace" });
    const res = await fetch(workspaceUrl(), {
      headers: { authorization: `DPoP ${token}`, dpop: forged, "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  test("when a proof is sent a second time, then 401 invalid_dpop_proof (replay)", async () => {
    const once = await proof(keyPair, { token });
    expect((await v1(t.url, `DPoP ${token}`, once)).status).toBe(200);
    expect(await v1(t.url, `DPoP ${token}`, once)).toMatchObject({ status: 401, code: "invalid_dpop_proof" });
  });

  test("when the proof is signed by another key, then 401 invalid_token with a DPoP challenge", async () => {
    const res = await v1(t.url, `DPoP ${token}`, await proof(other, { token }));
    expect(res).toMatchObject({ status: 401, code: "invalid_access_token" });
    expect(res.challenge).toMatch(/^DPoP error="invalid_token"/);
  });

  test("when the proof's signature does not verify, then 401 invalid_dpop_proof", async () => {
    const good = await proof(keyPair, { token });
    const [header, payload] = good.split(".");
    const forged = `${header}.${payload}.${(await proof(other, { token })).split(".")[2]}`;
    expect(await v1(t.url, `DPoP ${token}`, forged)).toMatchObject({ status: 401, code: "invalid_dpop_proof" });
  });

  test("when two DPoP headers are sent, then 401 invalid_dpop_proof", async () => {
    const headers = new Headers({ authorization: `DPoP ${token}` });
    headers.append("dpop", await proof(keyPair, { token }));
    headers.append("dpop", await proof(keyPair, { token }));
    const res = await fetch(workspaceUrl(), { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  test("when the bound token is sent as Bearer, even with a valid proof, then 401 invalid_token with a DPoP challenge", async () => {
    for (const withProof of [false, true]) {
      const res = await v1(t.url, `Bearer ${token}`, withProof ? await proof(keyPair, { token }) : undefined);
      expect(res).toMatchObject({ status: 401, code: "invalid_access_token" });
      expect(res.challenge).toMatch(/^DPoP error="invalid_token"/);
    }
  });

  test("when an unbound token or an API key is sent with the DPoP scheme, then 401; the key as Bearer (with a stray DPoP header) is unaffected", async () => {
    const bearer = await connectWithPar(await makeClient(t.ctx));
    const unbound = bearer.tokens.access_token;
    expect(await v1(t.url, `DPoP ${unbound}`, await proof(keyPair, { token: unbound }))).toMatchObject({ status: 401, code: "invalid_access_token" });
    expect((await v1(t.url, `Bearer ${unbound}`)).status).toBe(200);
    const { key } = await makeKey(t.ctx, owner.workspace.id);
    expect((await v1(t.url, `DPoP ${key}`, await proof(keyPair, { token: key }))).status).toBe(401);
    expect((await v1(t.url, `Bearer ${key}`, await proof(keyPair, { token: key }))).status).toBe(200);
  });

  test("when the public app refreshes, then only a proof by the same key works and the new access token is bound too", async () => {
    await expect(oauth.refreshTokenGrant(config, refreshToken, undefined, { DPoP: oauth.getDPoPHandle(config, other) })).rejects.toMatchObject({
      error: "invalid_grant",
    });
    const refreshed = await oauth.refreshTokenGrant(config, refreshToken, undefined, { DPoP: dpop });
    expect(refreshed.token_type.toLowerCase()).toBe("dpop");
    expect((await v1(t.url, `Bearer ${refreshed.access_token}`)).status).toBe(401);
    expect((await v1(t.url, `DPoP ${refreshed.access_token}`, await proof(keyPair, { token: refreshed.access_token }))).status).toBe(200);
  });

  test("when a proof is replayed at the token endpoint, then the second use is refused and a fresh proof works", async () => {
    const client = await makeClient(t.ctx, { isPublic: true });
    const { tokens } = await connectWithPar(client, keyPair);
    const refresh = (rt: string, dpopProof: string) =>
      fetch(`${t.url}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", dpop: dpopProof },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: rt, client_id: client.id }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as { refresh_token?: string; error?: string } }));
    const once = await proof(keyPair, { htm: "POST", htu: `${t.url}/token` });
    const first = await refresh(tokens.refresh_token!, once);
    expect(first.status).toBe(200);
    expect(await refresh(first.body.refresh_token!, once)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await refresh(first.body.refresh_token!, await proof(keyPair, { htm: "POST", htu: `${t.url}/token` }))).status).toBe(200);
  });

  test("when an app registered with --require-par --require-dpop sends a plain request, or asks for tokens without a proof, then it is refused; pushed and with a proof, it works", async () => {
    const run = await runCli(
      ["client", "create", "--name", "FAPI App", "--redirect-uri", REDIRECT_URI, "--public", "--require-par", "--require-dpop", "--json"],
      { databaseUrl: t.config.databaseUrl },
    );
    expect(run.code).toBe(0);
    const client: TestClient = { id: (onlyJson(run) as { client_id: string }).client_id, secret: null, redirectUri: REDIRECT_URI };
    expect((await listClients(t.ctx.db)).find((c) => c.client_id === client.id)).toMatchObject({ require_par: true, require_dpop: true });
    const cfg = await discover(t.url, client);

    const plain = await authorizationRequest(cfg, client, { scope: SCOPE });
    const outcome = await authorize(new HttpBrowser(), plain.url, client.redirectUri, { user: owner.credentials, decision: "allow" });
    expect(outcome.kind === "callback" && outcome.url.searchParams.get("error")).toBe("invalid_request");
    expect(outcome.kind === "callback" && outcome.url.searchParams.has("code")).toBe(false);

    const pushed = await pushedAuthorization(cfg, client);
    await expect(
      oauth.authorizationCodeGrant(cfg, pushed.callback, { pkceCodeVerifier: pushed.codeVerifier, expectedState: pushed.state }),
    ).rejects.toMatchObject({ error: "invalid_grant" });

    const { tokens } = await connectWithPar(client, keyPair);
    expect(tokens.token_type.toLowerCase()).toBe("dpop");
  });

  test("when housekeeping runs, then replay entries past their window are deleted and fresh ones stay", async () => {
    await t.ctx.db.dpopProof.create({ data: { id: `old-${crypto.randomUUID()}`, expiresAt: new Date(Date.now() - 1000) } });
    const fresh = await t.ctx.db.dpopProof.count({ where: { expiresAt: { gt: new Date() } } });
    expect((await purgeExpired(t.ctx.db)).dpopProofs).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.db.dpopProof.count({ where: { expiresAt: { lt: new Date() } } })).toBe(0);
    expect(await t.ctx.db.dpopProof.count()).toBe(fresh);
  });
});

describe("DPoP replay across two app instances on one database", () => {
  let b: TestApp;
  let bUrl: string;
  let closeB: () => Promise<void>;
  let keyPair: CryptoKeyPair;
  let token: string;

  beforeAll(async () => {
    // A second node: its own process state (caches, provider) on the first node's database, with the same ISSUER.
    b = await startTestApp({ DATABASE_URL: t.config.databaseUrl, ISSUER: t.url, AUTH_FAILURES_PER_MINUTE: "1000" });
    const server = await listen(b.app);
    bUrl = server.url;
    closeB = server.close;
    keyPair = await oauth.randomDPoPKeyPair("ES256");
    token = (await connectWithPar(await makeClient(t.ctx, { isPublic: true }), keyPair)).tokens.access_token;
  });
  afterAll(async () => {
    await closeB?.();
    await b?.close();
  });

  test("when a proof accepted by one node is replayed to the other, then the other refuses it", async () => {
    const once = await proof(keyPair, { token });
    expect((await v1(t.url, `DPoP ${token}`, once)).status).toBe(200);
    expect(await v1(bUrl, `DPoP ${token}`, once)).toMatchObject({ status: 401, code: "invalid_dpop_proof" });
    expect((await v1(bUrl, `DPoP ${token}`, await proof(keyPair, { token }))).status).toBe(200);
  });

  test("when one proof reaches both nodes at the same instant, many times over, then exactly one request is served", async () => {
    const once = await proof(keyPair, { token });
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => v1(i % 2 ? bUrl : t.url, `DPoP ${token}`, once)));
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s.status === 401)).toHaveLength(7);
  });
});
