import { createInterface } from "node:readline/promises";
import * as client from "openid-client";

// From the resource, find its authorization server (RFC 9728); openid-client reads its metadata (RFC 8414).
const BASE_URL = process.env.BASE_URL ?? "http://localhost:3000";
const resource = await (await fetch(`${BASE_URL}/.well-known/oauth-protected-resource/v1`)).json();
const issuer = new URL(resource.authorization_servers[0]);
// Plain http is for a server on your own machine only.
const local = issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {};
const config = await client.discovery(issuer, process.env.CLIENT_ID, process.env.CLIENT_SECRET, undefined, {
  algorithm: "oauth2",
  ...local,
});

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const url = client.buildAuthorizationUrl(config, {
  redirect_uri: process.env.REDIRECT_URI,
  scope: "subscribers:read tags:read offline_access",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  state,
});
console.log(url.href);

// The person signs in, picks a workspace and allows access; the browser comes back to the redirect URI.
const input = createInterface({ input: process.stdin });
const callbackUrl = new URL((await input.question("")).trim());
input.close();
const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
console.log("scopes:", tokens.scope);

const res = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${resource.resource}/workspace`), "GET");
console.log("workspace:", (await res.json()).data.name);
