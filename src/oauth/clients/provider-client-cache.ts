import type { ClientMetadata } from "oidc-provider";
import type { ChangeFeed } from "../../change-feed/change-feed.js";
import type { Db } from "../../db/client.js";
import { findProviderClient } from "./provider-client.js";

/** Clients are few (registered by operators): past this many the map simply starts over. */
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
  private readonly clients = new Map<string, ClientMetadata>();
  /** Fences lookups in flight: one that started before a change must not store what it read. */
  private generation = 0;

  constructor(
    private readonly db: Db,
    private readonly feed: ChangeFeed,
  ) {
    feed.onChange((kind, id) => {
      if (kind !== "client") return;
      this.generation++;
      this.clients.delete(id);
    });
    feed.onReset(() => {
      this.generation++;
      this.clients.clear();
    });
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    if (this.feed.isFresh()) {
      const hit = this.clients.get(clientId);
      if (hit) return hit;
    }
    const generation = this.generation;
    const found = await findProviderClient(this.db, clientId);
    if (found && generation === this.generation) {
      if (this.clients.size >= CACHE_SIZE) this.clients.clear();
      this.clients.set(clientId, found);
    }
    return found;
  }
}
