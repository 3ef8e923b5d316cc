import { invalidCredential } from "./bearer.js";
import type { Loaded } from "./credential-cache.js";
import type { ChangeFeed } from "../change-feed/change-feed.js";
import { lastUseWrite } from "./last-use.js";
import type { Caller, CredentialVerifier, Principal } from "./principal.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";
import { v1ScopesIn } from "../scopes/scopes.js";
import { createVerifierState, type VerifierState } from "./shared-state.js";
import { findTokenForCheck } from "./find-token-for-check.js";

interface CachedToken {
  /** null: no usable token has this digest (unknown, expired or revoked). */
  token: { expiresAt: number; authorizedAppId: string; principal: Principal } | null;
}

/**
 * What the authorization server tells the verifier about its access tokens (oauth/ hands it over at start,
 * so credentials/ needs nothing of oauth/): their audience, their shape, and the id they are stored under.
 */
export interface AccessTokenFormat {
  resource: string;
  isWellFormed(token: string): boolean;
  storageId(token: string): string;
}

interface StoredAccessToken {
  exp?: number;
  aud?: string | string[];
  scope?: string;
  clientId?: string;
  /** The key thumbprint of a DPoP-bound token. */
  jkt?: string;
}

/** Cache tags: one change to a grant, a registry record or a client drops exactly its tokens. */
const tag = (kind: "grant" | "authorized_app" | "client", id: string) => `${kind}:${id}`;

/**
 * Checks opaque OAuth access tokens on /v1. The token is looked up by its digest in an in-process cache,
 * filled from the provider's storage and the authorized-apps registry on a miss and invalidated through the
 * change feed, so a check costs no query in the steady state. The registry decides: a token works only
 * while its grant link, its record and its client are all active. The principal is the record's
 * workspace with the token's own /v1 scopes, rate-limited per record.
 */
export class AccessTokenVerifier implements CredentialVerifier {
  private readonly shared: VerifierState;

  constructor(
    private readonly deps: { db: Db; feed: ChangeFeed },
    private readonly tokens: AccessTokenFormat,
    logger: Logger,
    /** Hears every cache lookup (hit or miss), for /metrics. */
    private readonly onCacheLookup?: (hit: boolean) => void,
    /** The process's one cache and last-used writer, shared with the key verifier. */
    shared?: VerifierState,
  ) {
    this.shared = shared ?? createVerifierState(deps.feed, logger);
  }

  /** Synchronous (no promise) when the token's entry is in the cache and trusted: the steady state of every /v1 request. */
  verify(credential: string, caller: Caller): Principal | Promise<Principal> {
    if (!this.tokens.isWellFormed(credential)) throw invalidCredential(credential);
    const digest = this.tokens.storageId(credential);
    const entry = this.shared.cache.get(`access_token:${digest}`, () => this.load(digest), this.onCacheLookup);
    return entry instanceof Promise ? entry.then((found) => this.admit(found, credential, caller)) : this.admit(entry, credential, caller);
  }

  private admit(entry: CachedToken, credential: string, caller: Caller): Principal {
    const now = Date.now();
    if (!entry.token || entry.token.expiresAt <= now) throw invalidCredential(credential);
    this.touch(entry.token.authorizedAppId, now, caller);
    return entry.token.principal;
  }

  private async load(digest: string): Promise<Loaded<CachedToken>> {
    const row = await findTokenForCheck(this.deps.db, digest);
    if (!row?.grantId) return { value: { token: null }, tags: [], negative: true };
    const payload = JSON.parse(row.payload) as StoredAccessToken;
    const { link, record } = row;
    const usable =
      link &&
      record &&
      !link.revokedAt &&
      record.status === "active" &&
      record.clientStatus === "active" &&
      record.clientId === payload.clientId &&
      payload.aud === this.tokens.resource &&
      typeof payload.exp === "number";
    const entry: CachedToken = {
      token: usable
        ? {
            expiresAt: payload.exp! * 1000,
            authorizedAppId: record.id,
            principal: {
              workspace: { id: record.workspace.id, name: record.workspace.name },
              scopes: new Set(v1ScopesIn(payload.scope)),
              credential: {
                type: "oauth",
                authorizedAppId: record.id,
                clientId: record.clientId,
                grantId: row.grantId,
                ...(typeof payload.jkt === "string" ? { jkt: payload.jkt } : {}),
              },
              rateKey: `app:${record.id}`,
            },
          }
        : null,
    };
    const tags = [tag("grant", row.grantId), ...(record ? [tag("authorized_app", record.id), tag("client", record.clientId)] : [])];
    return { value: entry, tags, negative: !entry.token };
  }

  /** Keeps the record's last_used_at current to the minute without a write per request. */
  private touch(authorizedAppId: string, now: number, caller: Caller): void {
    this.shared.lastUsed.touch(`authorized_app:${authorizedAppId}`, now, (at) =>
      lastUseWrite(this.deps.db, "authorized_app", authorizedAppId, at, caller),
    );
  }
}
