import type { ClientMetadata } from "oidc-provider";
import { BoundedCache } from "../../credentials/bounded-cache.js";
import type { ChangeFeed } from "../../credentials/change-feed.js";
import type { Db } from "../../db/client.js";
import { findProviderClient } from "./provider-client.js";

const CACHE_SIZE = 10_000;

/**
 * The provider's client lookups (every token request makes one) answered from memory. Rotating a secret or
 * deleting a client publishes a `client` change, which drops the entry here at once and in other processes
 * when they hear the change feed; while this process does not hear the feed (it is stale, or never ran, as
 * in one-shot commands), every lookup reads the database as it did before the cache, so a change is never
 * missed for longer than the feed's staleness bound. Only found clients are kept: creating one publishes
 * nothing, so an unknown id is asked again.
 */
export class ProviderClientCache {
  private readonly cache = new BoundedCache<ClientMetadata>(CACHE_SIZE);

  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
  ) {
    feed.onChange((kind, id) => {
      if (kind === "client") this.cache.invalidateTag(id);
    });
    feed.onReset(() => this.cache.clear());
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    if (this.feed.isFresh()) {
      const hit = this.cache.get(clientId);
      if (hit) return hit;
    }
    const generation = this.cache.currentGeneration();
    const found = await findProviderClient(this.db, clientId);
    if (found) this.cache.setIfCurrent(clientId, found, generation, [clientId]);
    return found;
  }
}
