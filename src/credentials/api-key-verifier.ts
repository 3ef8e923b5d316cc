import { expireApiKey } from "../api-keys/expire-api-keys.js";
import type { ApiKeyDeps } from "../api-keys/deps.js";
import { digestKey, isWellFormedKey } from "../api-keys/key-format.js";
import type { Logger } from "../logger.js";
import { invalidCredential } from "./bearer.js";
import { CredentialCache, type Loaded } from "./credential-cache.js";
import { type CachedApiKey, toCachedApiKey } from "../api-keys/cached-key.js";
import { IpNotAllowedError } from "../errors/app-error.js";
import { lastUseDetails } from "./last-use.js";
import type { Caller, Principal, CredentialVerifier } from "./principal.js";

interface CachedKey {
  /** null: no key has this digest (a well-formed but unknown or rotated-away secret). */
  key: CachedApiKey | null;
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

  async verify(credential: string, caller: Caller): Promise<Principal> {
    if (!isWellFormedKey(credential)) throw invalidCredential(credential);
    const digest = digestKey(credential);
    const entry = await this.cache.get(digest, () => this.load(digest));
    const key = entry.key;
    if (!key || key.status !== "active") throw invalidCredential(credential);
    const now = Date.now();
    // The previous secret of a rotation with overlap ends at its exact instant, on every node, by each node's clock.
    if (key.secretExpiresAt !== null && key.secretExpiresAt <= now) throw invalidCredential(credential);
    if (key.expiresAt !== null && key.expiresAt <= now) {
      await expireApiKey(this.deps, key.id);
      throw invalidCredential(credential);
    }
    if (key.allowlist && !key.allowlist.allows(caller.ip)) throw new IpNotAllowedError();
    this.touch(key.id, now, caller);
    return key.principal;
  }

  private async load(digest: string): Promise<Loaded<CachedKey>> {
    const current = await this.deps.db.apiKey.findUnique({ where: { digest }, include: { workspace: true } });
    const previous = current ? null : await this.deps.db.apiKey.findUnique({ where: { previousDigest: digest }, include: { workspace: true } });
    const row = current ?? previous;
    return { value: { key: row && toCachedApiKey(row, !current) }, tags: row ? [row.id] : [] };
  }

  /** Keeps last_used_at (with the address and user agent) current to the minute without a write per request. */
  private touch(id: string, now: number, caller: Caller): void {
    const last = this.lastUsedWrites.get(id) ?? 0;
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWrites.set(id, now);
    this.deps.db.apiKey
      .update({ where: { id }, data: { lastUsedAt: new Date(now), ...lastUseDetails(caller) } })
      .catch((err: unknown) => this.logger.warn({ err, keyId: id }, "could not record last use of API key"));
  }
}
