import crypto from "node:crypto";
import { createClient } from "@libsql/client";
import { sqliteFilePath } from "./client.js";
import { migrationsDir, readMigrations } from "./migrations.js";

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

/**
 * Applies pending migrations to a SQLite file inside one write transaction, so two processes starting
 * together serialize on the database lock and the second finds nothing left to do.
 */
export async function migrateSqlite(url: string, dir = migrationsDir("sqlite")): Promise<string[]> {
  const client = createClient({ url: `file:${sqliteFilePath(url)}` });
  try {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 15000");
    const tx = await client.transaction("write");
    try {
      await tx.execute(BOOKKEEPING);
      const rows = await tx.execute(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const done = new Set(rows.rows.map((r) => String(r.migration_name)));
      const applied: string[] = [];
      for (const m of readMigrations(dir)) {
        if (done.has(m.name)) continue;
        await tx.executeMultiple(m.sql);
        await tx.execute({
          sql: `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
                VALUES (?, ?, current_timestamp, ?, 1)`,
          args: [crypto.randomUUID(), m.checksum, m.name],
        });
        applied.push(m.name);
      }
      await tx.commit();
      return applied;
    } finally {
      tx.close();
    }
  } finally {
    client.close();
  }
}
