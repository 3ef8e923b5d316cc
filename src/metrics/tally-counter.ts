import { Counter, type CounterConfiguration } from "prom-client";

type Labels<T extends string> = Partial<Record<T, string | number>>;

/**
 * A prom-client counter for what every request counts. prom-client's `inc` builds a key from the label values and
 * validates them on each call; `count` adds one to a number kept for the label set, and the counter takes what has
 * accumulated whenever it is collected (each scrape of /metrics, each `get()`), so what it reports is exact at
 * every read. The label set is keyed by identity: callers make each one once and pass the same object every time
 * (as the HTTP metrics and the credential checks do), which also keeps the number of tallies bounded.
 */
export class TallyCounter<T extends string> extends Counter<T> {
  // Made on first use: prom-client's constructor calls reset() before this class's fields exist.
  private tallies?: Map<Labels<T>, number>;

  constructor(config: Omit<CounterConfiguration<T>, "collect">) {
    super({
      ...config,
      collect(this: Counter<T>) {
        (this as TallyCounter<T>).flush();
      },
    });
  }

  count(labels: Labels<T>): void {
    const tallies = (this.tallies ??= new Map<Labels<T>, number>());
    tallies.set(labels, (tallies.get(labels) ?? 0) + 1);
  }

  /** Zeroes the counter, what is tallied and not yet collected included. */
  override reset(): void {
    this.tallies?.clear();
    super.reset();
  }

  private flush(): void {
    if (!this.tallies) return;
    for (const [labels, n] of this.tallies) this.inc(labels, n);
    this.tallies.clear();
  }
}
