import type { Logger } from "../logger.js";

const WRITE_INTERVAL_MS = 60_000;

/**
 * Keeps `last_used_at` of keys and authorized apps current to the minute without a write per request: one
 * writer for both verifiers, remembering when it last wrote each credential, least recently written forgotten
 * first past `max` (forgetting only costs one extra write).
 */
export class LastUsedWriter {
  private readonly lastWrites = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly max = 200_000,
  ) {}

  /** Runs `write` unless `id` was written less than a minute ago; a failed write is logged, never thrown. */
  touch(id: string, now: number, write: (at: Date) => () => Promise<unknown>): void {
    const last = this.lastWrites.get(id);
    if (last !== undefined && now - last < WRITE_INTERVAL_MS) return;
    this.lastWrites.delete(id);
    if (this.lastWrites.size >= this.max) {
      const oldest = this.lastWrites.keys().next().value;
      if (oldest !== undefined) this.lastWrites.delete(oldest);
    }
    this.lastWrites.set(id, now);
    // `write` takes what it records (the caller's address and agent) now and returns the write itself, which runs
    // after the request's own work: building a Prisma write costs more than the check, and nothing waits for it.
    const run = write(new Date(now));
    setImmediate(() => {
      run().catch((err: unknown) => this.logger.warn({ err, credential: id }, "could not record the last use of a credential"));
    });
  }
}
