import { ServiceUnavailableError } from "../errors/app-error.js";
import { BoundedCache } from "./bounded-cache.js";
import type { ChangeFeed } from "../change-feed/change-feed.js";

interface Checked<V> {
  value: V;
  /** When the database last confirmed this value. */
  checkedAt: number;
  /** When the last re-check of a stale value failed (the database was unreachable). */
  recheckFailedAt?: number;
}

/** What a lookup in the database found, with the tags that invalidate it (key id, grant id, …). */
export interface Loaded<V> {
  value: V;
  /** `kind:id` of what the value depends on (ChangeKind and target id): a change to any of them drops it. */
  tags: string[];
  /** Nothing was found (an unknown or revoked credential): kept on the smaller budget for such entries. */
  negative?: boolean;
}

/**
 * The credential cache both verifiers share (API keys, OAuth access tokens): entries are trusted while the
 * change feed is heard, so a revocation anywhere reaches them. Once the feed has been silent past its
 * staleness bound (the database or the path to it is down, a notification may be lost), an entry is
 * re-checked in the database at most once per poll interval; if that re-check fails, the request gets 503
 * rather than an answer the node can no longer vouch for. Bounded trust, traded against availability.
 */
export class CredentialCache<V> {
  private readonly cache: BoundedCache<Checked<V>>;
  /**
   * One database lookup per key at a time, shared by the requests that need it; never shared across an
   * invalidation, since what a lookup started before it read may already be revoked.
   */
  private readonly loading = new Map<string, { generation: number; value: Promise<V> }>();

  constructor(
    max: number,
    private readonly feed: ChangeFeed,
    maxNegative?: number,
  ) {
    this.cache = new BoundedCache<Checked<V>>(max, maxNegative);
    feed.onReset(() => this.cache.clear());
    feed.onChange((kind, id) => this.cache.invalidateTag(`${kind}:${id}`));
  }

  /** Whether `key` has an entry, trusted or not (no lookup is counted, no entry becomes more recently used). */
  has(key: string): boolean {
    return this.cache.has(key);
  }

  /**
   * The cached value while it can be trusted; otherwise `load` reads it again from the database. Callers that
   * share one cache give their keys their own prefix, so a key only ever holds what that caller's `load` returns.
   * `onLookup` hears whether the key was found (cache hit metrics, per verifier). A trusted hit is returned as
   * is, anything else (a read, an outage) as a promise.
   */
  get<T extends V>(key: string, load: () => Promise<Loaded<T>>, onLookup?: (hit: boolean) => void): T | Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key) as Checked<T> | undefined;
    onLookup?.(hit !== undefined);
    if (hit) {
      // The steady state answers synchronously: no promise, no microtask turn (every /v1 request comes here).
      if (this.feed.isFresh(now) || now - hit.checkedAt < this.feed.intervalMs) return hit.value;
      if (hit.recheckFailedAt !== undefined && now - hit.recheckFailedAt < this.feed.intervalMs) {
        return Promise.reject(new ServiceUnavailableError());
      }
    }
    return this.load(key, load).catch((err: unknown) => {
      // A first lookup that fails while the change log is heard is an ordinary error. While it is not heard the
      // node is cut off from its database (a reset may also have emptied the cache), so it is an outage: 503.
      if (!hit && this.feed.isFresh(Date.now())) throw err;
      if (hit) hit.recheckFailedAt = Date.now();
      throw new ServiceUnavailableError();
    });
  }

  private load<T extends V>(key: string, load: () => Promise<Loaded<T>>): Promise<T> {
    const generation = this.cache.currentGeneration();
    const inFlight = this.loading.get(key);
    if (inFlight?.generation === generation) return inFlight.value as Promise<T>;
    const checkedAt = Date.now();
    const value = load()
      .then((found) => {
        this.cache.setIfCurrent(key, { value: found.value, checkedAt }, generation, found.tags, found.negative);
        return found.value;
      })
      .finally(() => {
        if (this.loading.get(key)?.value === value) this.loading.delete(key);
      });
    this.loading.set(key, { generation, value });
    return value;
  }
}
