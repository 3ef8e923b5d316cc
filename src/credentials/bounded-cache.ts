/**
 * A Map that forgets its oldest entries past `max`, indexed by tags (a key id, a grant id, an authorized-app
 * id) so one change invalidates exactly its entries. A generation counter fences off lookups in flight: a
 * lookup that started before an invalidation must not store what it read, or a revoked credential could be
 * cached as live.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; tags: string[] }>();
  private readonly byTag = new Map<string, Set<string>>();
  private generation = 0;

  /** `onLookup` hears whether each `get` found an entry (cache hit metrics). */
  constructor(
    private readonly max: number,
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key)?.value;
    this.onLookup?.(value !== undefined);
    return value;
  }

  /** The generation to pass back to `setIfCurrent` after a slow lookup. */
  currentGeneration(): number {
    return this.generation;
  }

  /** Stores unless an invalidation happened since `generation` was read. */
  setIfCurrent(key: string, value: V, generation: number, tags: string[] = []): void {
    if (generation !== this.generation) return;
    if (!this.entries.has(key) && this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    this.remove(key);
    this.entries.set(key, { value, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Drops every entry carrying `tag`. */
  invalidateTag(tag: string): void {
    this.generation++;
    for (const key of this.byTag.get(tag) ?? []) this.remove(key);
    this.byTag.delete(tag);
  }

  invalidate(key: string): void {
    this.generation++;
    this.remove(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byTag.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
