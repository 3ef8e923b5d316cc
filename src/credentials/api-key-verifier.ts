import { expireApiKey } from "../api-keys/expire-api-keys.js";
import type { ApiKeyDeps } from "../api-keys/deps.js";
import { findKeyForCheck } from "../api-keys/find-key-for-check.js";
import { digestKey, hasKeyShape, hasValidChecksum } from "../api-keys/key-format.js";
import { IpNotAllowedError } from "../errors/app-error.js";
import type { Logger } from "../logger.js";
import { invalidCredential } from "./bearer.js";
import { type CachedApiKey, toCachedApiKey } from "./cached-api-key.js";
import type { Loaded } from "./credential-cache.js";
import { lastUseWrite } from "./last-use.js";
import { createVerifierState, type VerifierState } from "./shared-state.js";
import type { Caller, CredentialVerifier, Principal } from "./principal.js";

interface CachedKey {
  /** null: no key has this digest (a well-formed but unknown or rotated-away secret). */
  key: CachedApiKey | null;
}

/**
 * Checks `mrk_` keys. Shape and checksum are checked before anything else; then the SHA-256 digest is
 * looked up in an in-process cache, filled from the database on a miss and invalidated through the
 * change feed, so a check costs no query in the steady state while rotate, revoke and expiry take effect
 * on the very next request (and, when the feed goes silent, within the staleness bound: CredentialCache).
 * The key's restrictions (end of a rotation overlap, IP allowlist) are worked out when the entry is cached,
 * so checking them costs a comparison and, with an allowlist, one address parse.
 */
export class ApiKeyVerifier implements CredentialVerifier {
  private readonly shared: VerifierState;

  /** `onCacheLookup` hears whether each check found its key in the cache (metrics); `shared`: the process's one cache. */
  constructor(
    private readonly deps: ApiKeyDeps,
    logger: Logger,
    private readonly onCacheLookup?: (hit: boolean) => void,
    shared?: VerifierState,
  ) {
    this.shared = shared ?? createVerifierState(deps.feed, logger);
  }

  /** Synchronous (no promise) when the key's entry is in the cache and trusted: the steady state of every /v1 request. */
  verify(credential: string, caller: Caller): Principal | Promise<Principal> {
    if (!hasKeyShape(credential)) throw invalidCredential(credential);
    const digest = digestKey(credential);
    const cacheKey = `api_key:${digest}`;
    // The checksum refuses a mistyped key without a database read, so it is needed only before one: a digest in the
    // cache was read from the database, and its key was checked then.
    if (!this.shared.cache.has(cacheKey) && !hasValidChecksum(credential)) throw invalidCredential(credential);
    const entry = this.shared.cache.get(cacheKey, () => this.load(digest), this.onCacheLookup);
    return entry instanceof Promise ? entry.then((found) => this.admit(found, credential, caller)) : this.admit(entry, credential, caller);
  }

  private admit(entry: CachedKey, credential: string, caller: Caller): Principal | Promise<Principal> {
    const key = entry.key;
    if (!key || key.status !== "active") throw invalidCredential(credential);
    const now = Date.now();
    // The previous secret of a rotation with overlap ends at its exact instant, on every node, by each node's clock.
    if (key.secretExpiresAt !== null && key.secretExpiresAt <= now) throw invalidCredential(credential);
    if (key.expiresAt !== null && key.expiresAt <= now) {
      return expireApiKey(this.deps, key.id).then(() => {
        throw invalidCredential(credential);
      });
    }
    if (key.allowlist && !key.allowlist.allows(caller.ip)) throw new IpNotAllowedError();
    this.touch(key.id, now, caller);
    return key.principal;
  }

  private async load(digest: string): Promise<Loaded<CachedKey>> {
    const current = await findKeyForCheck(this.deps.db, digest);
    // A secret replaced by a rotation with overlap is found by its digest in `previousDigest`.
    const previous = current ? null : await findKeyForCheck(this.deps.db, digest, "previous");
    const row = current ?? previous;
    return { value: { key: row && toCachedApiKey(row, !current) }, tags: row ? [`api_key:${row.id}`] : [], negative: !row };
  }

  /** Keeps last_used_at (with the address and user agent) current to the minute without a write per request. */
  private touch(id: string, now: number, caller: Caller): void {
    this.shared.lastUsed.touch(`api_key:${id}`, now, (at) => lastUseWrite(this.deps.db, "api_key", id, at, caller));
  }
}
