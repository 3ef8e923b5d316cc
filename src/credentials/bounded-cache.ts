/**
 * A least-recently-used map, indexed by tags (a key id, a grant id, an authorized-app id) so one change
 * invalidates exactly its entries. Negative entries ("no credential has this digest") live on their own,
 * smaller budget, so a flood of made-up credentials cannot push the live ones out. A generation counter fences
 * off lookups in flight: a lookup that started before an invalidation must not store what it read, or a
 * revoked credential could be cached as live.
 */
export class BoundedCache<V> {
  private readonly known = new Map<string, { value: V; tags: string[] }>();
  private readonly unknown = new Map<string, { value: V; tags: string[] }>();
  private readonly byTag = new Map<string, Set<string>>();
  private generation = 0;

  constructor(
    private readonly max: number,
    private readonly maxNegative = Math.max(1, Math.ceil(max / 10)),
  ) {}

  /** The entry, which becomes the most recently used of its budget. */
  get(key: string): V | undefined {
    const map = this.known.has(key) ? this.known : this.unknown;
    const entry = map.get(key);
    if (!entry) return undefined;
    map.delete(key);
    map.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.known.has(key) || this.unknown.has(key);
  }

  /** The generation to pass back to `setIfCurrent` after a slow lookup. */
  currentGeneration(): number {
    return this.generation;
  }

  /** Stores unless an invalidation happened since `generation` was read; `negative` entries use their own budget. */
  setIfCurrent(key: string, value: V, generation: number, tags: string[] = [], negative = false): void {
    if (generation !== this.generation) return;
    this.remove(key);
    const map = negative ? this.unknown : this.known;
    if (map.size >= (negative ? this.maxNegative : this.max)) {
      const leastRecent = map.keys().next().value;
      if (leastRecent !== undefined) this.remove(leastRecent);
    }
    map.set(key, { value, tags });
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

  clear(): void {
    this.generation++;
    this.known.clear();
    this.unknown.clear();
    this.byTag.clear();
  }

  private remove(key: string): void {
    const map = this.known.has(key) ? this.known : this.unknown;
    const entry = map.get(key);
    if (!entry) return;
    map.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
