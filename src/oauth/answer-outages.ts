import type { KoaContextWithOIDC } from "oidc-provider";
import type Provider from "oidc-provider";
import { isDatabaseUnavailable } from "../db/database-unavailable.js";
import { renderProviderError } from "./render-provider-error.js";

type Middleware = Parameters<Provider["use"]>[0];

/** RFC 6749 §4.1.2.1's code for "try again later"; token, introspection and revocation use it too. */
const ERROR = "temporarily_unavailable";
const DESCRIPTION = "the authorization server is temporarily unavailable, retry shortly";
const RETRY_AFTER_SECONDS = "1";

const outages = new WeakSet<object>();

/**
 * Called from the provider's `server_error` event: the library has already answered 500 `server_error`;
 * if the cause was the database being unreachable, `answerOutagesWith503` rewrites that answer.
 */
export function noteServerError(ctx: object, err: unknown): void {
  if (isDatabaseUnavailable(err)) outages.add(ctx);
}

/**
 * oidc-provider renders every unexpected error as 500 `server_error` inside its own routes, so this runs
 * around them: an outage becomes 503 with Retry-After and `temporarily_unavailable` — JSON for the token,
 * introspection and revocation endpoints, our error page at /auth, or the same code in the redirect back
 * to the app when the library already chose to redirect.
 */
export const answerOutagesWith503: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    outages.add(ctx);
  }
  if (!outages.has(ctx)) return;
  ctx.set("Retry-After", RETRY_AFTER_SECONDS);
  ctx.set("Cache-Control", "no-store");
  const location = ctx.response.get("Location");
  if (location && ctx.status >= 300 && ctx.status < 400) {
    ctx.redirect(withOutageError(location));
    return;
  }
  ctx.status = 503;
  if (ctx.response.is("html") || (!ctx.body && ctx.accepts("json", "html") === "html")) {
    // renderProviderError reads nothing of ctx.oidc, which an error before routing may not have set.
    await renderProviderError(ctx as KoaContextWithOIDC, { error: ERROR, error_description: DESCRIPTION }, new Error(DESCRIPTION));
    return;
  }
  ctx.body = { error: ERROR, error_description: DESCRIPTION };
};

/** The app's redirect URI with the error parameters replaced, in the query or the fragment it used. */
function withOutageError(location: string): string {
  const url = new URL(location);
  const inFragment = url.hash.includes("error=");
  const params = new URLSearchParams(inFragment ? url.hash.slice(1) : url.search);
  params.set("error", ERROR);
  params.set("error_description", DESCRIPTION);
  if (inFragment) url.hash = params.toString();
  else url.search = params.toString();
  return url.toString();
}
