import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from "express-rate-limit";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";

type CounterDb = Pick<Db, "rateLimitCounter" | "$transaction">;

export interface SharedCountersOptions {
  /** How often local increments are written and the shared totals read back. */
  syncIntervalMs: number;
  /** Hears every synchronisation's result (metrics). */
  onSync?: (ok: boolean) => void;
}

interface Bucket {
  /** The RateLimitCounter row: `<store prefix><key>|<window start ms>`. */
  id: string;
  windowStart: number;
  resetTime: Date;
  /** Hits counted here and not written yet (negative after more decrements than increments). */
  pending: number;
  /** The shared total when last read or written; it includes every hit this node has written. */
  shared: number;
  readAt: number;
  /** Used since the last synchronisation: its shared total is worth reading back. */
  touched: boolean;
  refreshing?: Promise<void>;
}

const PURGE_INTERVAL_MS = 60_000;
/**
 * The longest a request waits for a counter's shared total. A healthy database answers in milliseconds;
 * a slow or unreachable one must not hold requests, so past this the decision rests on what this node
 * knows, and the read, when it lands, serves the next requests.
 */
const REFRESH_WAIT_MS = 100;

/**
 * Rate-limit counters shared by every node through the RateLimitCounter table, in fixed windows. A hit is
 * counted in memory; every `syncIntervalMs` the increments are added to the rows (one upsert per active
 * counter, whatever the number of requests) and the totals, which include the other nodes' hits, come back.
 * A decision never rests on a total older than two intervals: a counter idle that long is read again first.
 * So across N nodes a limit L admits at most L plus what the other nodes admitted for the same counter in
 * the last three intervals and one database round trip, and never more than N × L; while the database is
 * unreachable or slow each node keeps enforcing L on its own hits, and no request waits on it longer than
 * REFRESH_WAIT_MS (none at all while synchronisation is failing).
 */
export class SharedRateLimitCounters {
  private readonly buckets = new Map<string, Bucket>();
  private timer?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private failing = false;
  /** The first synchronisation purges what earlier runs left behind. */
  private lastPurge = 0;

  constructor(
    private readonly db: CounterDb,
    private readonly logger: Logger,
    private readonly options: SharedCountersOptions,
  ) {}

  /** An express-rate-limit store over these counters; each limiter needs its own, with its own prefix. */
  store(prefix: string): Store {
    return new SharedStore(this, `${prefix}:`);
  }

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.options.syncIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is still pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sync();
  }

  /**
   * Counts one hit; the first hit in a window, or after an idle spell, briefly waits for the shared total.
   * Every other hit (the steady state of a busy credential) is answered synchronously: no promise per request.
   */
  increment(name: string, windowMs: number): IncrementResponse | Promise<IncrementResponse> {
    const bucket = this.bucket(name, windowMs);
    if (Date.now() - bucket.readAt > 2 * this.options.syncIntervalMs) {
      const read = this.refresh(bucket);
      if (!this.failing) return waitAtMost(read, REFRESH_WAIT_MS).then(() => count(bucket));
    }
    return count(bucket);
  }

  /** Takes back a hit (express-rate-limit's skipSuccessfulRequests). */
  decrement(name: string, windowMs: number): void {
    const bucket = this.buckets.get(name);
    if (bucket && bucket.windowStart === windowStart(windowMs)) bucket.pending--;
  }

  get(name: string, windowMs: number): ClientRateLimitInfo | undefined {
    const bucket = this.buckets.get(name);
    if (!bucket || bucket.windowStart !== windowStart(windowMs)) return undefined;
    return { totalHits: Math.max(0, bucket.shared + bucket.pending), resetTime: bucket.resetTime };
  }

  async reset(name: string): Promise<void> {
    this.buckets.delete(name);
    await this.db.rateLimitCounter.deleteMany({ where: { id: { startsWith: `${name}|` } } });
  }

  /** Writes pending hits, reads back the totals of the counters used since the last call, purges old rows. */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private bucket(name: string, windowMs: number): Bucket {
    const start = windowStart(windowMs);
    let bucket = this.buckets.get(name);
    if (!bucket || bucket.windowStart !== start) {
      bucket = {
        id: `${name}|${start}`,
        windowStart: start,
        resetTime: new Date(start + windowMs),
        pending: 0,
        shared: 0,
        readAt: 0,
        touched: false,
      };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  /** Reads one counter's shared total now (several callers share one read). */
  private refresh(bucket: Bucket): Promise<void> {
    const started = Date.now();
    bucket.refreshing ??= this.db.rateLimitCounter
      .findUnique({ where: { id: bucket.id }, select: { count: true } })
      .then(
        (row) => {
          // A synchronisation that finished meanwhile knows better (this read may predate its write).
          if (bucket.readAt > started) return;
          bucket.shared = row?.count ?? 0;
          bucket.readAt = Date.now();
        },
        (err: unknown) => {
          // Unreachable database: decide on what this node knows rather than refuse or stall every request.
          bucket.readAt = Date.now();
          this.logger.warn({ err }, "could not read a shared rate-limit counter; counting on this node only");
        },
      )
      .finally(() => (bucket.refreshing = undefined));
    return bucket.refreshing;
  }

  private async syncOnce(): Promise<void> {
    const now = Date.now();
    for (const [name, bucket] of this.buckets) {
      if (bucket.resetTime.getTime() <= now) this.buckets.delete(name);
    }
    // One lock order for every node (sorted ids), so two nodes' batches never deadlock on PostgreSQL.
    const live = [...this.buckets.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const writes = live.filter((b) => b.pending !== 0).map((b) => ({ bucket: b, amount: b.pending }));
    const reads = live.filter((b) => b.pending === 0 && b.touched);
    if (writes.length === 0 && reads.length === 0 && now - this.lastPurge < PURGE_INTERVAL_MS) return;
    try {
      if (writes.length) {
        const rows = await this.db.$transaction(
          writes.map(({ bucket, amount }) =>
            this.db.rateLimitCounter.upsert({
              where: { id: bucket.id },
              create: { id: bucket.id, count: amount, expiresAt: bucket.resetTime },
              update: { count: { increment: amount } },
              select: { count: true },
            }),
          ),
        );
        const readAt = Date.now();
        writes.forEach(({ bucket, amount }, i) => {
          bucket.pending -= amount;
          bucket.shared = rows[i].count;
          bucket.readAt = readAt;
          bucket.touched = false;
        });
      }
      if (reads.length) {
        const rows = await this.db.rateLimitCounter.findMany({
          where: { id: { in: reads.map((b) => b.id) } },
          select: { id: true, count: true },
        });
        const counts = new Map(rows.map((r) => [r.id, r.count]));
        const readAt = Date.now();
        for (const bucket of reads) {
          bucket.shared = counts.get(bucket.id) ?? 0;
          bucket.readAt = readAt;
          bucket.touched = false;
        }
      }
      if (now - this.lastPurge >= PURGE_INTERVAL_MS) {
        this.lastPurge = now;
        await this.db.rateLimitCounter.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
      }
      if (this.failing) this.logger.info("shared rate-limit counters synchronised again");
      this.failing = false;
      this.options.onSync?.(true);
    } catch (err) {
      // Pending hits stay pending and are written by the next successful synchronisation.
      if (!this.failing) this.logger.error({ err }, "could not synchronise the shared rate-limit counters");
      this.failing = true;
      this.options.onSync?.(false);
    }
  }
}

/** Adds a hit to the bucket and returns its total as the limiter sees it. */
function count(bucket: Bucket): IncrementResponse {
  bucket.pending++;
  bucket.touched = true;
  return { totalHits: Math.max(1, bucket.shared + bucket.pending), resetTime: bucket.resetTime };
}

/** Resolves when `work` settles or after `ms`, whichever comes first (`work` goes on either way). */
function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The start of the fixed window holding now: windows are aligned on the clock, so every node agrees. */
function windowStart(windowMs: number): number {
  return Math.floor(Date.now() / windowMs) * windowMs;
}

/** One limiter's view of the shared counters (express-rate-limit wants a store instance per limiter). */
class SharedStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counters: SharedRateLimitCounters,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    return this.counters.get(this.prefix + key, this.windowMs);
  }

  increment(key: string): IncrementResponse | Promise<IncrementResponse> {
    return this.counters.increment(this.prefix + key, this.windowMs);
  }

  decrement(key: string): void {
    this.counters.decrement(this.prefix + key, this.windowMs);
  }

  resetKey(key: string): Promise<void> {
    return this.counters.reset(this.prefix + key);
  }
}
