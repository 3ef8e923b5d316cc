import crypto from "node:crypto";
import Database from "libsql";
import { sqliteFilePath } from "./client.js";
import { migrationsDir, readMigrations, type MigrationFile } from "./migrations.js";
import { CONNECTION_PRAGMAS } from "./sqlite-connection.js";
import { withLockRetry } from "./sqlite-lock-wait.js";

// Same table Prisma's own `migrate deploy` keeps, so `prisma migrate status` agrees with us.
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** A server starting next to one that is migrating waits this long for the write lock (migrations can be slow). */
const MIGRATION_LOCK_WAIT_MS = 120_000;

/** A migration left rows pointing at rows that no longer exist; it was rolled back. */
export class ForeignKeyViolationError extends Error {
  constructor(migration: string, violations: unknown[]) {
    super(
      `migration ${migration} was rolled back: it leaves ${violations.length} row(s) violating foreign keys ` +
        `(first: ${JSON.stringify(violations[0])})`,
    );
    this.name = "ForeignKeyViolationError";
  }
}

function appliedNames(db: Database.Database): Set<string> {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).all();
  if (table.length === 0) return new Set();
  const rows = db
    .prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .all() as { migration_name: string }[];
  return new Set(rows.map((r) => r.migration_name));
}

/**
 * Applies one migration the way Prisma documents for SQLite: foreign keys are off for the connection (a PRAGMA
 * inside a transaction does nothing), so rebuilding a parent table (create new, copy, drop old, rename) fires no
 * ON DELETE CASCADE; `PRAGMA foreign_key_check` then proves nothing dangles before the commit. Returns false when
 * another process applied it first.
 */
async function applyOne(db: Database.Database, m: MigrationFile): Promise<boolean> {
  // One statement, re-run on each attempt: a BEGIN that failed busy and was dropped would stay "in progress" and
  // make the COMMIT fail.
  const begin = db.prepare("BEGIN IMMEDIATE");
  await withLockRetry(async () => begin.run(), MIGRATION_LOCK_WAIT_MS);
  try {
    db.exec(BOOKKEEPING);
    if (appliedNames(db).has(m.name)) {
      db.prepare("ROLLBACK").run();
      return false;
    }
    db.exec(m.sql);
    const violations = db.prepare("PRAGMA foreign_key_check").all();
    if (violations.length) throw new ForeignKeyViolationError(m.name, violations);
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES (?, ?, current_timestamp, ?, 1)`,
    ).run(crypto.randomUUID(), m.checksum, m.name);
    db.prepare("COMMIT").run();
    return true;
  } catch (err) {
    if (db.inTransaction) db.prepare("ROLLBACK").run();
    throw err;
  }
}

/**
 * Applies pending migrations to a SQLite file, one at a time, each in its own write transaction with its
 * `_prisma_migrations` row. Several processes starting together take turns on the write lock (waiting
 * asynchronously), and a later one skips what an earlier one applied. When nothing is pending it only reads.
 */
export async function migrateSqlite(url: string, dir = migrationsDir("sqlite")): Promise<string[]> {
  const file = sqliteFilePath(url);
  // Opened again on a busy failure (SQLITE_BUSY_RECOVERY while another process recovers the WAL), never reused:
  // a statement that failed busy would stay in progress on that connection.
  const { db, done } = await withLockRetry(async () => {
    const conn = new Database(file);
    try {
      // busy_timeout first: switching to WAL needs a lock another starting server may hold.
      for (const pragma of CONNECTION_PRAGMAS) conn.prepare(pragma).all();
      conn.prepare("PRAGMA foreign_keys = OFF").run();
      // Migrations are rare and run before the server answers: SQLite syncs each one at its COMMIT itself.
      conn.prepare("PRAGMA synchronous = FULL").run();
      return { db: conn, done: appliedNames(conn) };
    } catch (err) {
      conn.close();
      throw err;
    }
  }, MIGRATION_LOCK_WAIT_MS);
  try {
    const applied: string[] = [];
    for (const m of readMigrations(dir)) {
      if (done.has(m.name)) continue;
      if (await applyOne(db, m)) applied.push(m.name);
    }
    return applied;
  } finally {
    db.close();
  }
}
