import { invalidCredential } from "../credentials/bearer.js";
import { CredentialCache, type Loaded } from "../credentials/credential-cache.js";
import type { ChangeFeed } from "../credentials/change-feed.js";
import { lastUseDetails } from "../credentials/last-use.js";
import type { Caller, CredentialVerifier, Principal } from "../credentials/principal.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";
import { OPAQUE_TOKEN_BITS } from "./provider-configuration.js";
import { storageId } from "./prisma-adapter.js";
import { v1ScopesIn } from "./scopes.js";

interface CachedToken {
  /** null: no usable token has this digest (unknown, expired or revoked). */
  token: { expiresAt: number; authorizedAppId: string; principal: Principal } | null;
}

const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil(OPAQUE_TOKEN_BITS / 6)}}$`);
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const CACHE_SIZE = 200_000;

interface StoredAccessToken {
  exp?: number;
  aud?: string | string[];
  scope?: string;
  clientId?: string;
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
  private readonly cache: CredentialCache<CachedToken>;
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    private readonly deps: { db: Db; feed: ChangeFeed },
    private readonly resource: string,
    private readonly logger: Logger,
    /** Hears every cache lookup (hit or miss), for /metrics. */
    onCacheLookup?: (hit: boolean) => void,
  ) {
    this.cache = new CredentialCache<CachedToken>(CACHE_SIZE, deps.feed, onCacheLookup);
    deps.feed.onChange((kind, id) => {
      if (kind === "grant" || kind === "authorized_app" || kind === "client") this.cache.invalidateTag(tag(kind, id));
    });
  }

  async verify(credential: string, caller: Caller): Promise<Principal> {
    if (!TOKEN_SHAPE.test(credential)) throw invalidCredential(credential);
    const digest = storageId("AccessToken", credential);
    const entry = await this.cache.get(digest, () => this.load(digest));
    const now = Date.now();
    if (!entry.token || entry.token.expiresAt <= now) throw invalidCredential(credential);
    this.touch(entry.token.authorizedAppId, now, caller);
    return entry.token.principal;
  }

  private async load(digest: string): Promise<Loaded<CachedToken>> {
    const row = await this.deps.db.oidcModel.findUnique({ where: { id_type: { id: digest, type: "AccessToken" } } });
    if (!row?.grantId) return { value: { token: null }, tags: [] };
    const payload = JSON.parse(row.payload) as StoredAccessToken;
    const link = await this.deps.db.authorizedAppGrant.findUnique({
      where: { grantId: row.grantId },
      include: { authorizedApp: { include: { workspace: true, client: true } } },
    });
    const record = link?.authorizedApp;
    const usable =
      link &&
      record &&
      !link.revokedAt &&
      record.status === "active" &&
      record.client.status === "active" &&
      record.clientId === payload.clientId &&
      payload.aud === this.resource &&
      typeof payload.exp === "number";
    const entry: CachedToken = {
      token: usable
        ? {
            expiresAt: payload.exp! * 1000,
            authorizedAppId: record.id,
            principal: {
              workspace: { id: record.workspace.id, name: record.workspace.name },
              scopes: new Set(v1ScopesIn(payload.scope)),
              credential: { type: "oauth", authorizedAppId: record.id, clientId: record.clientId, grantId: row.grantId },
              rateKey: `app:${record.id}`,
            },
          }
        : null,
    };
    const tags = [tag("grant", row.grantId), ...(record ? [tag("authorized_app", record.id), tag("client", record.clientId)] : [])];
    return { value: entry, tags };
  }

  /** Keeps the record's last_used_at (with the address and user agent) current to the minute without a write per request. */
  private touch(authorizedAppId: string, now: number, caller: Caller): void {
    const last = this.lastUsedWrites.get(authorizedAppId) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(authorizedAppId, now);
    if (this.lastUsedWrites.size > CACHE_SIZE) this.lastUsedWrites.clear();
    this.deps.db.authorizedApp
      .updateMany({ where: { id: authorizedAppId }, data: { lastUsedAt: new Date(now), ...lastUseDetails(caller) } })
      .catch((err: unknown) => this.logger.warn({ err, authorizedAppId }, "could not record last use of an authorized app"));
  }
}
