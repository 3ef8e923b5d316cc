import type Provider from "oidc-provider";
import type { Metrics } from "./metrics.js";

/**
 * Counts tokens the authorization server issues and revokes, from the provider's model events (`.saved` when
 * a token is stored; `.destroyed` when one is revoked on its own). A grant revoked as a whole (revocation
 * endpoint, code replay, refresh-token reuse) counts once as `grant`: the tokens it deletes in bulk emit no
 * event of their own.
 */
export function countProviderTokens(provider: Provider, metrics: Metrics): void {
  const issued = (type: string) => () => metrics.tokensIssued.inc({ type });
  const revoked = (type: string) => () => metrics.tokensRevoked.inc({ type });
  provider.on("access_token.saved", issued("access_token"));
  provider.on("access_token.issued", issued("access_token"));
  provider.on("refresh_token.saved", issued("refresh_token"));
  provider.on("authorization_code.saved", issued("authorization_code"));
  provider.on("access_token.destroyed", revoked("access_token"));
  provider.on("refresh_token.destroyed", revoked("refresh_token"));
  provider.on("grant.revoked", revoked("grant"));
}
