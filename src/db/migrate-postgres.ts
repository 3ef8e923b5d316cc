import crypto from "node:crypto";
import pg from "pg";
import { migrationsDir, readMigrations } from "./migrations.js";

// Prisma's own `migrate deploy` cannot run here (its WebAssembly engine fails on PostgreSQL's `name` type), so the
// same SQL files are applied with `pg`, keeping the table exactly as Prisma does so that `prisma migrate status`
// (and a later `prisma migrate deploy` by an operator with the full CLI) agree with what we applied.
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** The advisory lock key Prisma's schema engine takes, so our migrator and `prisma migrate deploy` exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

const LOCK_NOT_AVAILABLE = "55P03";

export interface MigratePostgresOptions {
  /** The migrations folder (tests use their own). */
  dir?: string;
  /** How long to wait for another process's migrations before giving up with a clear error instead of hanging. */
  lockWaitMs?: number;
}

/**
 * Applies pending migrations to a PostgreSQL database. Holding a session advisory lock, so two processes
 * starting together take turns and the second finds nothing left to do; each migration runs in its own
 * transaction together with its `_prisma_migrations` row, so a failed migration leaves no trace to repair.
 */
export async function migratePostgres(url: string, options: MigratePostgresOptions = {}): Promise<string[]> {
  const { dir = migrationsDir("postgres"), lockWaitMs = 300_000 } = options;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.ceil(lockWaitMs)}`);
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]).catch((err: { code?: string }) => {
      if (err.code !== LOCK_NOT_AVAILABLE) throw err;
      throw new Error(`another process held the migration lock for ${lockWaitMs} ms: is a migration stuck?`, { cause: err });
    });
    await client.query("RESET lock_timeout");
    return await applyPending(client, dir);
  } finally {
    // Ending the session releases the advisory lock, on success and on failure alike.
    await client.end();
  }
}

async function applyPending(client: pg.Client, dir: string): Promise<string[]> {
  await client.query(BOOKKEEPING);
  const { rows } = await client.query<{ migration_name: string; finished_at: Date | null }>(
    `SELECT migration_name, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
  );
  // Prisma leaves a row without finished_at when one of its own deploys failed half-way; like Prisma, refuse to go on.
  const failed = rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
  if (failed.length) {
    throw new Error(
      `migration ${failed.join(", ")} failed earlier and was not rolled back: resolve it ` +
        "(prisma migrate resolve) before applying more",
    );
  }
  const done = new Set(rows.map((r) => r.migration_name));
  const applied: string[] = [];
  for (const m of readMigrations(dir)) {
    if (done.has(m.name)) continue;
    await client.query("BEGIN");
    try {
      await client.query(m.sql);
      // started_at defaults to now(), the start of this transaction; finished_at is the wall clock after the script.
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, clock_timestamp(), $3, 1)`,
        [crypto.randomUUID(), m.checksum, m.name],
      );
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK");
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(m.name);
  }
  return applied;
}
