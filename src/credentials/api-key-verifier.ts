import { expireApiKey } from "../api-keys/expire-api-keys.js";
import type { ApiKeyDeps } from "../api-keys/deps.js";
import { findKeyForCheck } from "../api-keys/find-key-for-check.js";
import { digestKey, isWellFormedKey } from "../api-keys/key-format.js";
import type { Logger } from "../logger.js";
import { invalidCredential } from "./bearer.js";
import { CredentialCache, type Loaded } from "./credential-cache.js";
import { type Principal, READ_SCOPES, V1_SCOPES, type CredentialVerifier } from "./principal.js";

interface CachedKey {
  /** null: no key has this digest (a well-formed but unknown or rotated-away secret). */
  key: {
    id: string;
    status: string;
    expiresAt: number | null;
    principal: Principal;
  } | null;
}

const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const CACHE_SIZE = 200_000;

/**
 * Checks `mrk_` keys. Shape and checksum are checked before anything else; then the SHA-256 digest is
 * looked up in an in-process cache, filled from the database on a miss and invalidated through the
 * change feed, so a check costs no query in the steady state while rotate, revoke and expiry take effect
 * on the very next request (and, when the feed goes silent, within the staleness bound: CredentialCache).
 */
export class ApiKeyVerifier implements CredentialVerifier {
  private readonly cache: CredentialCache<CachedKey>;
  private readonly lastUsedWrites = new Map<string, number>();

  /** `onCacheLookup` hears whether each check found its key in the cache (metrics). */
  constructor(
    private readonly deps: ApiKeyDeps,
    private readonly logger: Logger,
    onCacheLookup?: (hit: boolean) => void,
  ) {
    this.cache = new CredentialCache<CachedKey>(CACHE_SIZE, deps.feed, onCacheLookup);
    deps.feed.onChange((kind, id) => {
      if (kind === "api_key") this.cache.invalidateTag(id);
    });
  }

  async verify(credential: string): Promise<Principal> {
    if (!isWellFormedKey(credential)) throw invalidCredential(credential);
    const digest = digestKey(credential);
    const entry = await this.cache.get(digest, () => this.load(digest));
    const key = entry.key;
    if (!key || key.status !== "active") throw invalidCredential(credential);
    const now = Date.now();
    if (key.expiresAt !== null && key.expiresAt <= now) {
      await expireApiKey(this.deps, key.id);
      throw invalidCredential(credential);
    }
    this.touch(key.id, now);
    return key.principal;
  }

  private async load(digest: string): Promise<Loaded<CachedKey>> {
    const row = await findKeyForCheck(this.deps.db, digest);
    const entry: CachedKey = {
      key: row && {
        id: row.id,
        status: row.status,
        expiresAt: row.expiresAt?.getTime() ?? null,
        principal: {
          workspace: { id: row.workspaceId, name: row.workspaceName },
          scopes: new Set(row.access === "read_write" ? V1_SCOPES : READ_SCOPES),
          credential: { type: "api_key", id: row.id, prefix: row.prefix },
          rateKey: `key:${row.id}`,
        },
      },
    };
    return { value: entry, tags: row ? [row.id] : [] };
  }

  /** Keeps last_used_at current to the minute without a write per request. */
  private touch(id: string, now: number): void {
    const last = this.lastUsedWrites.get(id) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    this.deps.db.apiKey
      .update({ where: { id }, data: { lastUsedAt: new Date(now) } })
      .catch((err: unknown) => this.logger.warn({ err, keyId: id }, "could not record last use of API key"));
  }
}
