import type Provider from "oidc-provider";
import { V1_SCOPES } from "../scopes/scopes.js";

/** A Koa middleware run by the provider before its own routes (`provider.use`). */
type Middleware = Parameters<Provider["use"]>[0];

const DISCOVERY_PATHS = new Set(["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]);

/**
 * RFC 8414 metadata lists the /v1 scopes too. The library lists only its own (openid, offline_access);
 * resource scopes come from getResourceServerInfo, which discovery does not see.
 */
export const advertiseV1Scopes: Middleware = async (ctx, next) => {
  await next();
  const body = ctx.body as { scopes_supported?: string[] } | undefined;
  if (ctx.status === 200 && DISCOVERY_PATHS.has(ctx.path) && body?.scopes_supported) {
    body.scopes_supported = [...new Set([...body.scopes_supported, ...V1_SCOPES])];
  }
};

/**
 * OpenID Connect drops `offline_access` unless the request says `prompt=consent`. Here consent is asked on
 * every request anyway, so an app asking for offline_access without a prompt gets it, as OAuth apps expect.
 */
export const consentForOfflineAccess: Middleware = async (ctx, next) => {
  if (ctx.method === "GET" && ctx.path === "/auth") {
    const { scope, prompt } = ctx.query;
    if (typeof scope === "string" && scope.split(" ").includes("offline_access") && prompt === undefined) {
      ctx.query = { ...ctx.query, prompt: "consent" };
    }
  }
  await next();
};

const CLIENT_AUTHENTICATED_PATHS = new Set(["/token/introspection", "/token/revocation"]);
/** oidc-provider's wording when a request names no client at all (lib/shared/client_auth.js, pinned version). */
const NO_CLIENT_AUTHENTICATION = "no client authentication mechanism provided";

/**
 * Introspection and revocation without any client authentication are 401 `invalid_client` (RFC 7662 §2.1,
 * RFC 7009 §2.1 through RFC 6749 §5.2). The library answers 400 `invalid_request`; that one answer is
 * rewritten, with a Basic challenge, and every other error is left as the library made it.
 */
export const unauthenticatedClientIs401: Middleware = async (ctx, next) => {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (
    ctx.status === 400 &&
    CLIENT_AUTHENTICATED_PATHS.has(ctx.path) &&
    body?.error === "invalid_request" &&
    body.error_description === NO_CLIENT_AUTHENTICATION
  ) {
    ctx.status = 401;
    ctx.body = { error: "invalid_client", error_description: "client authentication is required" };
    ctx.set("WWW-Authenticate", 'Basic realm="workspace-auth"');
  }
};

const pendingWork = new WeakMap<object, Promise<unknown>[]>();

/** Makes the response wait for `work` started while handling `ctx` (registry updates after a revocation). */
export function holdResponseFor(ctx: object, work: Promise<unknown>): void {
  pendingWork.get(ctx)?.push(work);
}

/**
 * Lets event handlers finish their database work before the response leaves, so an app that revoked its
 * token, or replayed a code, sees the registry already updated when it gets the answer.
 */
export const awaitHeldWork: Middleware = async (ctx, next) => {
  const held: Promise<unknown>[] = [];
  pendingWork.set(ctx, held);
  try {
    await next();
  } finally {
    await Promise.allSettled(held);
  }
};
