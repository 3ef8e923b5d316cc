import { expireApiKey } from "../api-keys/expire-api-keys.js";
import type { ApiKeyDeps } from "../api-keys/deps.js";
import { findKeyForCheck } from "../api-keys/find-key-for-check.js";
import { digestKey, isWellFormedKey } from "../api-keys/key-format.js";
import type { Logger } from "../logger.js";
import { invalidCredential } from "./bearer.js";
import type { Loaded } from "./credential-cache.js";
import { createVerifierState, type VerifierState } from "./shared-state.js";
import { READ_SCOPES, V1_SCOPES } from "../scopes/scopes.js";
import type { CredentialVerifier, Principal } from "./principal.js";

interface CachedKey {
  /** null: no key has this digest (a well-formed but unknown or rotated-away secret). */
  key: {
    id: string;
    status: string;
    expiresAt: number | null;
    principal: Principal;
  } | null;
}


/**
 * Checks `mrk_` keys. Shape and checksum are checked before anything else; then the SHA-256 digest is
 * looked up in an in-process cache, filled from the database on a miss and invalidated through the
 * change feed, so a check costs no query in the steady state while rotate, revoke and expiry take effect
 * on the very next request (and, when the feed goes silent, within the staleness bound: CredentialCache).
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

  async verify(credential: string): Promise<Principal> {
    if (!isWellFormedKey(credential)) throw invalidCredential(credential);
    const digest = digestKey(credential);
    const entry = await this.shared.cache.get(`api_key:${digest}`, () => this.load(digest), this.onCacheLookup);
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
    return { value: entry, tags: row ? [`api_key:${row.id}`] : [], negative: !row };
  }

  /** Keeps last_used_at current to the minute without a write per request. */
  private touch(id: string, now: number): void {
    this.shared.lastUsed.touch(`api_key:${id}`, now, (at) => this.deps.db.apiKey.update({ where: { id }, data: { lastUsedAt: at } }));
  }
}
