import Provider, { type Adapter } from "oidc-provider";
import type { AuthorizedAppDeps } from "../authorized-apps/deps.js";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";
import { answerOutagesWith503 } from "./answer-outages.js";
import { clientSecretMatches } from "./clients/client-secret.js";
import { ProviderClientCache } from "./clients/provider-client-cache.js";
import { accountFinder } from "./find-account.js";
import { prismaAdapter, storageId } from "./prisma-adapter.js";
import { OPAQUE_TOKEN_BITS, providerConfiguration } from "./provider-configuration.js";
import { revokeGrant, wireProviderEvents } from "./provider-events.js";
import { loadProviderKeys, type ProviderKeys } from "./provider-keys.js";
import { consentForOfflineAccess } from "./offline-access-consent.js";
import { advertiseV1Scopes, awaitHeldWork, unauthenticatedClientIs401 } from "./provider-middleware.js";
import { renderProviderError } from "./render-provider-error.js";
import { shareReplayDetection } from "./shared-replay-detection.js";
import { holdTokenWrites } from "./token-request-writes.js";
import { workspaceClaim } from "./workspace-claim.js";
import { shareSignIn } from "./shared-sign-in.js";
import { v1Resource } from "../scopes/scopes.js";

/** The embedded authorization server and what the rest of the app needs to know about it. */
export interface OAuthServer {
  provider: Provider;
  /** The resource indicator of /v1, the audience of every access token. */
  resource: string;
  /** Handed to the /v1 access-token verifier: audience, shape and storage id of this server's access tokens. */
  accessTokens: { resource: string; isWellFormed(token: string): boolean; storageId(token: string): string };
}

const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil(OPAQUE_TOKEN_BITS / 6)}}$`);

export interface ProviderParts {
  issuer: string;
  db: Db;
  keys: ProviderKeys;
  sessionTtlSeconds: number;
  /** Our Prisma storage in the server; oidc-provider's in-memory adapter when omitted (the benchmark's baseline). */
  adapter?: (name: string) => Adapter;
}

/**
 * oidc-provider with our policy, accounts and keys. Client secrets are stored as digests, so the provider's
 * secret comparison is replaced by one that hashes what the app presents.
 */
export function buildProvider(parts: ProviderParts): Provider {
  const provider = new Provider(
    parts.issuer,
    providerConfiguration({
      resource: v1Resource(parts.issuer),
      keys: parts.keys,
      adapter: parts.adapter,
      findAccount: accountFinder(parts.db),
      sessionTtlSeconds: parts.sessionTtlSeconds,
      extraTokenClaims: workspaceClaim(parts.db),
      renderError: renderProviderError,
    }),
  );
  // Koa reads the scheme and host from X-Forwarded-Proto/-Host; our routes overwrite both from ISSUER before
  // any request reaches the provider (pinToIssuer), so the client and the proxies decide neither.
  provider.proxy = true;
  provider.use(holdTokenWrites);
  shareSignIn(provider, parts.db);
  consentForOfflineAccess(provider);
  provider.Client.prototype.compareClientSecret = function compareDigest(this: { clientSecret?: string }, presented: string) {
    return clientSecretMatches(this.clientSecret, presented);
  };
  return provider;
}

/**
 * The authorization server of this process: the provider on our database, with the registry kept in step
 * with what the library revokes by itself.
 */
export async function createOAuthServer(deps: AuthorizedAppDeps & { config: Config; logger: Logger }): Promise<OAuthServer> {
  const { config, db, logger } = deps;
  const registry: AuthorizedAppDeps = { db: deps.db, feed: deps.feed };
  const adapter = prismaAdapter(db, new ProviderClientCache(db, deps.feed), {
    onConcurrentRedemption: (grantId, model) =>
      revokeGrant(provider, registry, grantId, model === "RefreshToken" ? "refresh_token_reuse" : "code_replay"),
  });
  const provider: Provider = buildProvider({
    issuer: config.issuer,
    db,
    keys: await loadProviderKeys(db, config),
    sessionTtlSeconds: config.sessionTtlHours * 3600,
    adapter,
  });
  shareReplayDetection(provider, db);
  provider.use(answerOutagesWith503);
  provider.use(awaitHeldWork);
  provider.use(advertiseV1Scopes);
  provider.use(unauthenticatedClientIs401);
  wireProviderEvents(provider, registry, logger);
  const resource = v1Resource(config.issuer);
  return {
    provider,
    resource,
    // What the /v1 verifier (credentials/) needs to know about this server's opaque access tokens.
    accessTokens: {
      resource,
      isWellFormed: (token: string) => TOKEN_SHAPE.test(token),
      storageId: (token: string) => storageId("AccessToken", token),
    },
  };
}
