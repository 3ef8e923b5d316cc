import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";

/** What changed: a key, an authorized-app record, a client, or a single oidc-provider grant. */
export type ChangeKind = "api_key" | "authorized_app" | "client" | "grant";

/** `local`: the change was made by this process; `feed`: read from the change log (any process, this one included). */
export type ChangeSource = "local" | "feed";

export type ChangeListener = (kind: ChangeKind, targetId: string, source: ChangeSource) => void;
/** Called when the feed cannot vouch for what it missed (database unreachable): drop every cached entry. */
export type ResetListener = () => void;
/** Hears the age of each change-log entry when it is read (milliseconds, by the writer's clock). */
export type LagListener = (ageMs: number) => void;

/**
 * A push channel beside the poll (PostgreSQL LISTEN/NOTIFY): `notify` tells every listening process that
 * the change log has a new committed entry; it carries nothing, the poll stays the one reader.
 */
export interface ChangeNotifier {
  notify(): void;
  /** Starts listening; `onReconnect` runs when the channel was lost and is back (changes may have been missed). */
  listen(handlers: { onNotify(): void; onReconnect(): void }): Promise<void>;
  close(): Promise<void>;
}

type FeedDb = Pick<Db, "credentialEvent">;

const RETENTION_MS = 60 * 60 * 1000;
const BATCH = 1000;
/**
 * How long a hole in the sequence is re-read. PostgreSQL hands out `seq` at insert but transactions commit
 * in any order, so an entry may appear below one already read; an interactive transaction lasts at most a
 * few seconds (Prisma's default timeout is 5 s), and a rolled-back insert leaves a hole that never fills.
 */
const GAP_WAIT_MS = 30_000;
/** Holes tracked at most; past this the feed gives up tracking them and drops every cache instead. */
const MAX_GAPS = 1000;
/** How far below the newest entry holes are assumed at start (entries that may still be committing). */
const START_WINDOW = 100;

/**
 * Tells every server process that a credential changed. A change made in this process reaches its
 * listeners synchronously, before the call returns; other processes learn it from the CredentialEvent
 * table, which they poll every `intervalMs` and, with a notifier, as soon as a commit is announced.
 * Entries are read by sequence number with the holes below the newest one re-read until they fill (or
 * expire), so an entry committed late is not skipped. After a failed poll or a lost notifier connection,
 * the next successful poll resets all caches, because changes may have been missed meanwhile.
 * It also keeps when it last heard the log (a successful poll or a notification): past `maxStalenessMs`
 * of silence, caches stop trusting their entries on their own (see CredentialCache).
 */
export class ChangeFeed {
  private listeners: ChangeListener[] = [];
  private resetListeners: ResetListener[] = [];
  private lagListeners: LagListener[] = [];
  private lastSeq = 0;
  /** Sequence numbers below lastSeq not read yet, with when they were first seen missing. */
  private readonly gaps = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private failing = false;
  private resetPending = false;
  private polling = false;
  private stopped = false;
  private pollAgain = false;
  private lastPurge = 0;
  /** When the log was last heard; 0 until start() read it, so a feed that never ran vouches for nothing. */
  private lastHeardAt = 0;

  constructor(
    private readonly db: FeedDb,
    private readonly logger: Logger,
    /** Also the least time between two database re-checks of one stale cached credential. */
    readonly intervalMs: number,
    private readonly notifier?: ChangeNotifier,
    private readonly maxStalenessMs = 5000,
  ) {}

  /** Whether this process heard the change log recently enough for its caches to be trusted as they are. */
  isFresh(now = Date.now()): boolean {
    return now - this.lastHeardAt <= this.maxStalenessMs;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  onReset(listener: ResetListener): void {
    this.resetListeners.push(listener);
  }

  onLag(listener: LagListener): void {
    this.lagListeners.push(listener);
  }

  /**
   * Applies a change to this process (used after a transaction that already wrote its event) and, with a
   * notifier, tells the other processes to read the log now rather than at their next poll.
   */
  emit(kind: ChangeKind, targetId: string): void {
    this.dispatch(kind, targetId, "local");
    this.notifier?.notify();
  }

  async start(): Promise<void> {
    const recent = await this.db.credentialEvent.findMany({ orderBy: { seq: "desc" }, select: { seq: true }, take: START_WINDOW });
    this.lastSeq = recent[0]?.seq ?? 0;
    // Entries numbered below the newest may still be committing: treat the holes as pending.
    const seen = new Set(recent.map((e) => e.seq));
    const now = Date.now();
    for (let seq = Math.max(1, this.lastSeq - START_WINDOW + 1); seq < this.lastSeq; seq++) {
      if (!seen.has(seq)) this.gaps.set(seq, now);
    }
    this.lastHeardAt = Date.now();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    await this.notifier?.listen({
      onNotify: () => {
        // An announcement keeps trust alive, but cannot restore it: after a failed poll or a lost channel the
        // node has missed changes that only the next successful poll applies.
        if (!this.failing && !this.resetPending && this.isFresh()) this.lastHeardAt = Date.now();
        void this.poll();
      },
      onReconnect: () => {
        this.logger.warn("credential change notifications reconnected: clearing caches");
        this.resetPending = true;
        void this.poll();
      },
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.notifier?.close();
    // A poll under way finishes before the caller closes the database under it.
    while (this.polling) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Reads entries written since the last poll (by any process) and passes them to the listeners. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    if (this.polling) {
      // A notification during a poll may announce an entry that poll's query did not see: read again after.
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    const started = Date.now();
    try {
      const pending = [...this.gaps.keys()];
      const events = await this.db.credentialEvent.findMany({
        where: pending.length ? { OR: [{ seq: { gt: this.lastSeq } }, { seq: { in: pending } }] } : { seq: { gt: this.lastSeq } },
        orderBy: { seq: "asc" },
        take: BATCH,
      });
      if (this.failing || this.resetPending) {
        if (this.failing) this.logger.warn("credential change feed reachable again: clearing caches");
        this.failing = false;
        this.resetPending = false;
        this.reset();
      }
      const now = Date.now();
      for (const e of events) {
        this.advance(e.seq, now);
        for (const listener of this.lagListeners) listener(now - e.createdAt.getTime());
        this.dispatch(e.kind as ChangeKind, e.targetId, "feed");
      }
      this.expireGaps(now);
      // Heard as of when the query was sent: anything committed before that is now applied.
      this.lastHeardAt = Math.max(this.lastHeardAt, started);
      await this.purgeOld();
    } catch (err) {
      if (!this.failing) this.logger.error({ err }, "credential change feed poll failed");
      this.failing = true;
    } finally {
      this.polling = false;
      if (this.pollAgain) {
        this.pollAgain = false;
        void this.poll();
      }
    }
  }

  private dispatch(kind: ChangeKind, targetId: string, source: ChangeSource): void {
    for (const listener of this.listeners) listener(kind, targetId, source);
  }

  private reset(): void {
    for (const reset of this.resetListeners) reset();
  }

  /** Moves past `seq`: numbers skipped on the way become holes; a hole that fills is forgotten. */
  private advance(seq: number, now: number): void {
    if (seq <= this.lastSeq) {
      this.gaps.delete(seq);
      return;
    }
    if (seq - this.lastSeq - 1 > MAX_GAPS) {
      this.giveUpOnGaps(`sequence jumped from ${this.lastSeq} to ${seq}`);
    } else {
      for (let missing = this.lastSeq + 1; missing < seq; missing++) this.gaps.set(missing, now);
    }
    this.lastSeq = seq;
  }

  private expireGaps(now: number): void {
    for (const [seq, since] of this.gaps) {
      if (now - since > GAP_WAIT_MS) this.gaps.delete(seq);
    }
    if (this.gaps.size > MAX_GAPS) this.giveUpOnGaps(`${this.gaps.size} holes in the sequence`);
  }

  /** Too many holes to re-read: whatever they may hold, no cached credential outlives this. */
  private giveUpOnGaps(why: string): void {
    this.logger.warn({ why }, "credential change feed stops tracking holes: clearing caches");
    this.gaps.clear();
    this.reset();
  }

  private async purgeOld(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < RETENTION_MS / 4) return;
    this.lastPurge = now;
    await this.db.credentialEvent.deleteMany({ where: { createdAt: { lt: new Date(now - RETENTION_MS) } } });
  }
}
