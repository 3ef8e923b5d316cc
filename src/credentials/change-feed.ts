import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";

/** What changed: a key, an authorized-app record, a client, or a single oidc-provider grant. */
export type ChangeKind = "api_key" | "authorized_app" | "client" | "grant";

export type ChangeListener = (kind: ChangeKind, targetId: string) => void;
/** Called when the feed cannot vouch for what it missed (database unreachable): drop every cached entry. */
export type ResetListener = () => void;

type FeedDb = Pick<Db, "credentialEvent">;

const RETENTION_MS = 60 * 60 * 1000;

/**
 * Tells every server process that a credential changed. A change made in this process reaches its
 * listeners synchronously, before the call returns; other processes learn it from the CredentialEvent
 * table they poll every `intervalMs`. After a failed poll the next successful one resets all caches,
 * because events may have been missed while the database was unreachable.
 */
export class ChangeFeed {
  private listeners: ChangeListener[] = [];
  private resetListeners: ResetListener[] = [];
  private lastSeq = 0;
  private timer?: NodeJS.Timeout;
  private failing = false;
  private polling = false;
  private lastPurge = 0;

  constructor(
    private readonly db: FeedDb,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  onReset(listener: ResetListener): void {
    this.resetListeners.push(listener);
  }

  /** Records a change for other processes and applies it to this one at once. */
  async publish(kind: ChangeKind, targetId: string, tx: FeedDb = this.db): Promise<void> {
    await tx.credentialEvent.create({ data: { kind, targetId } });
    this.emit(kind, targetId);
  }

  /** Applies a change to this process only (used after a transaction that already wrote its event). */
  emit(kind: ChangeKind, targetId: string): void {
    for (const listener of this.listeners) listener(kind, targetId);
  }

  async start(): Promise<void> {
    const last = await this.db.credentialEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
    this.lastSeq = last?.seq ?? 0;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads events written since the last poll (by any process) and passes them to the listeners. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const events = await this.db.credentialEvent.findMany({
        where: { seq: { gt: this.lastSeq } },
        orderBy: { seq: "asc" },
        take: 1000,
      });
      if (this.failing) {
        this.failing = false;
        this.logger.warn("credential change feed reachable again: clearing caches");
        for (const reset of this.resetListeners) reset();
      }
      for (const e of events) {
        this.lastSeq = e.seq;
        this.emit(e.kind as ChangeKind, e.targetId);
      }
      await this.purgeOld();
    } catch (err) {
      if (!this.failing) this.logger.error({ err }, "credential change feed poll failed");
      this.failing = true;
    } finally {
      this.polling = false;
    }
  }

  private async purgeOld(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < RETENTION_MS / 4) return;
    this.lastPurge = now;
    await this.db.credentialEvent.deleteMany({ where: { createdAt: { lt: new Date(now - RETENTION_MS) } } });
  }
}
