import pg from "pg";
import type { Logger } from "../logger.js";
import { databaseKind } from "./client.js";
import { isDatabaseUnavailable } from "./database-unavailable.js";

export interface WaitOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** Bound on each try (connect and `SELECT 1`). */
  timeoutMs: number;
  logger: Logger;
  /** The first pause between tries; it doubles up to MAX_DELAY_MS. */
  firstDelayMs?: number;
}

const MAX_DELAY_MS = 5_000;

/**
 * Waits for a PostgreSQL server that is still starting (a container started with it, a failover): tries
 * `attempts` times with a doubling pause, logging each failure, then throws the last error. Only outages
 * are retried: a wrong password or a missing database fails at once, since waiting will not fix it.
 * SQLite is a local file, nothing to wait for.
 */
export async function waitForDatabase(url: string, options: WaitOptions): Promise<void> {
  if (databaseKind(url) !== "postgres") return;
  let delay = options.firstDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await probe(url, options.timeoutMs);
      if (attempt > 1) options.logger.info({ attempt }, "database reachable");
      return;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= options.attempts) {
        options.logger.error({ attempt, attempts: options.attempts, reason }, "database still unreachable: giving up");
        throw new Error(`database unreachable after ${attempt} attempts: ${reason}`, { cause: err });
      }
      options.logger.warn({ attempt, attempts: options.attempts, retryInMs: delay, reason }, "database unreachable: retrying");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

async function probe(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A server shutting down mid-probe emits an error event besides rejecting the pending call.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}
