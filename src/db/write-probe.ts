import { ServiceUnavailableError } from "../errors/app-error.js";
import { type DatabaseKind, type Db } from "./client.js";

/** How long /ready waits for the database to show it can take a write. */
export const WRITE_PROBE_TIMEOUT_MS = 2000;

/**
 * Resolves when the database can take a write now; rejects with ServiceUnavailableError otherwise, or when it has
 * not answered within `timeoutMs` (the probe keeps running in the background, the caller does not wait for it).
 * SQLite: an empty write transaction, whose BEGIN IMMEDIATE needs the write lock that a wedged or busy writer
 * holds. PostgreSQL: the session is not read-only (a standby, or a database set read-only, cannot take writes).
 */
export async function probeWrite(db: Db, kind: DatabaseKind, timeoutMs = WRITE_PROBE_TIMEOUT_MS): Promise<void> {
  const probe =
    kind === "sqlite"
      ? db.$transaction(async () => undefined)
      : db.$queryRawUnsafe<{ read_only: string }[]>("SELECT current_setting('transaction_read_only') AS read_only").then((rows) => {
          if (rows[0]?.read_only !== "off") throw new ServiceUnavailableError(1, "The database is read-only.");
        });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailableError(1, "The database did not answer in time.")), timeoutMs);
  });
  probe.catch(() => undefined);
  try {
    await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
