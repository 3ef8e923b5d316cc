import { CLI } from "../../src/audit/audit-log.js";
import type { AppContext } from "../../src/context.js";
import { createClient } from "../../src/oauth/clients/create-client.js";
import type { TestClient } from "./connect-flow.js";
import { makeUser, makeWorkspace } from "./fixtures.js";

/** Where test apps are sent back to: a loopback address nothing listens on (the flow stops before it). */
export const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** Registers an approved app and returns what the app itself would hold. */
export async function makeClient(
  ctx: AppContext,
  options: { isPublic?: boolean; redirectUris?: string[]; scopes?: string; name?: string; logoUri?: string; homepage?: string } = {},
): Promise<TestClient> {
  const redirectUris = options.redirectUris ?? [REDIRECT_URI];
  const issued = await createClient(ctx.db, {
    name: options.name ?? "Test App",
    redirectUris,
    scopes: options.scopes,
    isPublic: options.isPublic,
    logoUri: options.logoUri,
    homepage: options.homepage,
    actor: CLI,
  });
  return { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: redirectUris[0] };
}

/** A user who owns a fresh workspace. */
export async function makeOwner(ctx: AppContext) {
  const user = await makeUser(ctx);
  const workspace = await makeWorkspace(ctx, undefined, [{ userId: user.id, role: "owner" }]);
  return { user, workspace, credentials: { email: user.email, password: user.password } };
}

/** A raw request to the token endpoint (or revocation / introspection), authenticated with client_secret_basic. */
export async function tokenEndpoint(
  url: string,
  client: { id: string; secret: string | null },
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const form = new URLSearchParams(params);
  if (client.secret) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64")}`;
  } else {
    form.set("client_id", client.id);
  }
  const res = await fetch(url, { method: "POST", headers, body: form.toString() });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** GET /v1/workspace with a bearer token; returns the status. */
export async function v1Status(baseUrl: string, token: string, path = "/v1/workspace"): Promise<number> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** The OAuth error code a rejected openid-client call failed with (`invalid_grant`, …), or undefined if it succeeded. */
export async function oauthErrorOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
}
