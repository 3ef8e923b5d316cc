import { ServiceUnavailableError } from "../errors/app-error.js";

/** How long a statement or a transaction waits for SQLite's write lock before its request gets 503. */
export const SQLITE_LOCK_WAIT_MS = 1500;

/** 503 with Retry-After: another process (the CLI, another server) held the database's write lock too long. */
export class DatabaseBusyError extends ServiceUnavailableError {
  /**
   * Not a libSQL error code: `null` (rather than a number) makes @prisma/adapter-libsql rethrow this error as it is
   * instead of converting it into a driver error, so it reaches the error renderer as a 503.
   */
  readonly rawCode = null;

  constructor() {
    super(1, "The database is busy. Retry shortly.");
    this.name = "DatabaseBusyError";
  }
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** Whether a libSQL error is SQLITE_BUSY or SQLITE_LOCKED (any extended code): the lock was not available. */
export function isBusy(err: unknown): boolean {
  const rawCode = (err as { rawCode?: unknown } | null)?.rawCode;
  if (typeof rawCode !== "number") return false;
  const primary = rawCode & 0xff;
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it stops failing with SQLITE_BUSY, sleeping between attempts (5 ms doubling to 50 ms, with
 * jitter so that two processes do not retry in step). Only for work that a busy failure leaves undone (a BEGIN, a
 * read, opening a connection). After `waitMs` it gives up with DatabaseBusyError.
 */
export async function withLockRetry<T>(attempt: () => Promise<T>, waitMs = SQLITE_LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
    try {
      return await attempt();
    } catch (err) {
      if (!isBusy(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw new DatabaseBusyError();
      await sleep(Math.min(delay * (0.5 + Math.random()), left));
    }
  }
}
