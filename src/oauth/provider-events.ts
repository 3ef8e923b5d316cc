import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import type { AuthorizedAppDeps } from "../authorized-apps/deps.js";
import { type GrantEnd, recordGrantRevoked } from "../authorized-apps/record-grant-revoked.js";
import type { Logger } from "../logger.js";
import { noteServerError } from "./answer-outages.js";
import { holdResponseFor } from "./provider-middleware.js";

/**
 * Ends a grant the way the library does after a replay: every code and token it issued is deleted, the
 * grant too, and the registry is told. Used when two requests race to redeem one code or refresh token.
 */
export async function revokeGrant(provider: Provider, deps: AuthorizedAppDeps, grantId: string, reason: "code_replay" | "refresh_token_reuse"): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.Grant.adapter.destroy(grantId),
  ]);
  deps.feed.emit("grant", grantId);
  await recordGrantRevoked(deps, grantId, { by: "system", reason });
}

/**
 * Who ended a grant, from the route the library revoked it in: the revocation endpoint is the app itself; at
 * the token endpoint a consumed code or refresh token was presented again; any other route is a sign-out.
 */
function grantEndOf(ctx: KoaContextWithOIDC): GrantEnd {
  const route = ctx.oidc?.route;
  if (route === "revocation") return { by: "app" };
  if (route === "token") {
    return { by: "system", reason: ctx.oidc?.params?.grant_type === "refresh_token" ? "refresh_token_reuse" : "code_replay" };
  }
  return { by: "system", reason: "sign_out" };
}

/**
 * Keeps the registry in step with what the library does by itself, and logs its server errors (never the
 * request's parameters, which hold codes and tokens).
 */
export function wireProviderEvents(provider: Provider, deps: AuthorizedAppDeps, logger: Logger): void {
  provider.on("grant.revoked", (ctx: KoaContextWithOIDC, grantId: string) => {
    // Drop cached tokens in this process at once; the registry write below tells the other processes.
    deps.feed.emit("grant", grantId);
    const work = recordGrantRevoked(deps, grantId, grantEndOf(ctx)).catch((err: unknown) =>
      logger.error({ err, grantId }, "could not record a revoked grant in the authorized-apps registry"),
    );
    holdResponseFor(ctx, work);
  });
  provider.on("server_error", (ctx: KoaContextWithOIDC, err: Error) => {
    noteServerError(ctx, err);
    logger.error({ err: { type: err.name, message: err.message, stack: err.stack } }, "authorization server error");
  });
}
