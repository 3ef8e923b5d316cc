import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type Client, createClient } from "@libsql/client";
import { withPg } from "./database.js";
import { ROOT } from "./root.js";

/** The project root, where the Prisma CLI and its config files are found. */

/** The PostgreSQL CLI config (driver adapter `pg`). */
export const POSTGRES_CONFIG = path.join("prisma", "postgres", "prisma.config.ts");

/** Runs the project's Prisma CLI and returns its exit code and output (never throws on a non-zero exit). */
export function prismaCli(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, "node_modules", ".bin", "prisma"),
      args,
      { cwd: ROOT, env: { ...process.env, ...env, PRISMA_HIDE_UPDATE_MESSAGE: "1" }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Runs migrate() in a process of its own, as a second server starting at the same time would. */
export function migrateInChildProcess(url: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      [path.join(ROOT, "test", "support", "migrate-process.ts"), url],
      { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as string[])),
    );
  });
}

/**
 * The SQL that creates a schema from nothing, rendered offline by Prisma (root config: libSQL adapter,
 * which `migrate diff --from-empty` never uses to connect, whatever the schema's provider).
 */
export async function createScriptFor(schema: string, scratchDir: string): Promise<string> {
  const { code, output } = await prismaCli(
    ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script", "--output", path.join(scratchDir, "fresh.sql")],
    { DATABASE_URL: `file:${path.join(scratchDir, "cli.db")}` },
  );
  if (code !== 0) throw new Error(`prisma migrate diff failed:\n${output}`);
  return fs.readFileSync(path.join(scratchDir, "fresh.sql"), "utf8");
}

/** Prisma's bookkeeping rows, oldest first. */
export interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
  logs: string | null;
}

/** Tables, columns, indexes and constraints of a PostgreSQL database, order-independent, bookkeeping excluded. */
export function postgresShape(url: string): Promise<unknown> {
  return withPg(url, async (c) => {
    const columns = await c.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, datetime_precision
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY table_name, column_name`,
    );
    const indexes = await c.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename, indexname`,
    );
    const constraints = await c.query(
      `SELECT t.relname AS table_name, k.conname, pg_get_constraintdef(k.oid) AS definition
         FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
        WHERE k.connamespace = 'public'::regnamespace AND t.relname <> '_prisma_migrations'
        ORDER BY 1, 2`,
    );
    return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
  });
}

/** The names of a SQLite database's own tables, sorted: no internal tables, no migration bookkeeping. */
export async function sqliteTables(client: Client): Promise<string[]> {
  const tables = await client.execute(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`,
  );
  return tables.rows.map((r) => String(r.name));
}

/** Tables, columns, indexes and foreign keys of a SQLite file, order-independent, bookkeeping excluded. */
export async function sqliteShape(file: string): Promise<unknown> {
  const client = createClient({ url: `file:${file}` });
  try {
    const shape: Record<string, unknown> = {};
    for (const table of await sqliteTables(client)) {
      const columns = await client.execute({
        sql: `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY name`,
        args: [table],
      });
      const indexes = await client.execute({
        sql: `SELECT l.name, l."unique", l.origin, group_concat(i.name, ',') AS columns
                FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS i
               GROUP BY l.name ORDER BY l.name`,
        args: [table],
      });
      const foreignKeys = await client.execute({
        sql: `SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY "from"`,
        args: [table],
      });
      shape[table] = { columns: columns.rows, indexes: indexes.rows, foreignKeys: foreignKeys.rows };
    }
    return JSON.parse(JSON.stringify(shape));
  } finally {
    client.close();
  }
}

/** Runs a multi-statement SQL script on a SQLite file. */
export async function execSqlite(file: string, sql: string): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  try {
    await client.executeMultiple(sql);
  } finally {
    client.close();
  }
}

/** Prisma's bookkeeping rows of a SQLite file, oldest first. */
export async function sqliteMigrationRows(file: string): Promise<MigrationRow[]> {
  const client = createClient({ url: `file:${file}` });
  try {
    const rs = await client.execute(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    return JSON.parse(JSON.stringify(rs.rows)) as MigrationRow[];
  } finally {
    client.close();
  }
}
