import fs from "node:fs";
import path from "node:path";
import { migrate } from "../../../src/db/migrate.js";
import { MIGRATION_LOCK_KEY, migratePostgres } from "../../../src/db/migrate-postgres.js";
import { migrationsDir, readMigrations } from "../../../src/db/migrations.js";
import { tempDir } from "../../support/app.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase, withPg } from "../../support/database.js";
import {
  createScriptFor,
  type MigrationRow,
  migrateInChildProcess,
  POSTGRES_CONFIG,
  postgresShape,
  prismaCli,
} from "../../support/db-helpers.js";

const adminUrl = postgresAdminUrl();
const files = readMigrations(migrationsDir("postgres"));

const rowsOf = (url: string) =>
  withPg(url, async (c) => (await c.query<MigrationRow>(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).rows);
const tableExists = (url: string, table: string) =>
  withPg(url, async (c) => (await c.query(`SELECT to_regclass($1) AS t`, [`"${table}"`])).rows[0].t !== null);

/** A migrations folder of our own making, for failures the real folder never has. */
function writeMigrations(dir: string, migrations: Record<string, string>): void {
  for (const [name, sql] of Object.entries(migrations)) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
}

// Runs on CI's PostgreSQL pass (TEST_DATABASE_URL set by scripts/ci-postgres.sh); the SQLite pass skips it.
(adminUrl ? describe : describe.skip)("PostgreSQL migrations and Prisma's bookkeeping", () => {
  let db: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await createPostgresDatabase(adminUrl as string);
    dir = tempDir("wa-mig-pg-");
  });
  afterEach(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when our migrator has run, then `prisma migrate status` reports the database up to date", async () => {
    await migrate(db.url);
    const status = await prismaCli(["migrate", "status", "--config", POSTGRES_CONFIG], { DATABASE_URL: db.url });
    expect(status.output).toContain("Database schema is up to date!");
    expect(status.code).toBe(0);
  });

  test("when a migration's row is missing, then `prisma migrate status` reports it as not applied", async () => {
    await migrate(db.url);
    const last = files[files.length - 1].name;
    await withPg(db.url, (c) => c.query(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1`, [last]));
    const status = await prismaCli(["migrate", "status", "--config", POSTGRES_CONFIG], { DATABASE_URL: db.url });
    expect(status.output).toContain("not yet been applied");
    expect(status.output).toContain(last);
    expect(status.code).not.toBe(0);
  });

  test("when migrations are applied, then each row matches its file and stores the SHA-256 of migration.sql", async () => {
    expect(await migrate(db.url)).toEqual(files.map((m) => m.name));
    const rows = await rowsOf(db.url);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((m) => [m.name, m.checksum]));
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test("when the bookkeeping table is created, then it has exactly the columns and types Prisma's own has", async () => {
    await migrate(db.url);
    const columns = await withPg(db.url, async (c) =>
      (
        await c.query(
          `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        )
      ).rows,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", len: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", len: 64, is_nullable: "NO", column_default: null },
      { column_name: "finished_at", data_type: "timestamp with time zone", len: null, is_nullable: "YES", column_default: null },
      { column_name: "migration_name", data_type: "character varying", len: 255, is_nullable: "NO", column_default: null },
      { column_name: "logs", data_type: "text", len: null, is_nullable: "YES", column_default: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", len: null, is_nullable: "YES", column_default: null },
      { column_name: "started_at", data_type: "timestamp with time zone", len: null, is_nullable: "NO", column_default: "now()" },
      { column_name: "applied_steps_count", data_type: "integer", len: null, is_nullable: "NO", column_default: "0" },
    ]);
  });

  test("when migrate runs again, then it applies nothing and adds no row", async () => {
    await migrate(db.url);
    expect(await migrate(db.url)).toEqual([]);
    expect(await rowsOf(db.url)).toHaveLength(files.length);
  });

  test("when two migrations start together on a fresh database, then one applies everything and the other nothing", async () => {
    const results = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, files.length]);
    expect(await rowsOf(db.url)).toHaveLength(files.length);
  });

  test("when two processes migrate a fresh database together, then one applies everything and the other nothing", async () => {
    const results = await Promise.all([migrateInChildProcess(db.url), migrateInChildProcess(db.url)]);
    expect(results.map((r) => r.length).sort()).toEqual([0, files.length]);
    expect(await rowsOf(db.url)).toHaveLength(files.length);
  });

  test("when another session holds the migration lock, then migrate waits for it before touching the database", async () => {
    await withPg(db.url, async (holder) => {
      await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      const pending = migrate(db.url);
      // Wait until the migrator is queued behind the lock, then check it has done nothing yet.
      for (;;) {
        const waiting = await holder.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
          [MIGRATION_LOCK_KEY],
        );
        if (waiting.rowCount) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await tableExists(db.url, "_prisma_migrations")).toBe(false);
      await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      expect(await pending).toEqual(files.map((m) => m.name));
    });
  });

  test("when the lock stays taken longer than the wait allows, then migrate gives up with a clear error", async () => {
    await withPg(db.url, async (holder) => {
      await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      await expect(migratePostgres(db.url, { lockWaitMs: 300 })).rejects.toThrow(/held the migration lock for 300 ms/);
    });
    expect(await tableExists(db.url, "_prisma_migrations")).toBe(false);
  });

  test("when a migration fails, then none of it stays, earlier ones stay applied, and the fixed file applies later", async () => {
    writeMigrations(dir, {
      "20990101000000_good": `CREATE TABLE "Good" ("id" TEXT PRIMARY KEY);`,
      "20990102000000_bad": `CREATE TABLE "Half" ("id" TEXT PRIMARY KEY);\nINSERT INTO "Missing" VALUES (1);`,
    });
    await expect(migratePostgres(db.url, { dir })).rejects.toThrow(/20990102000000_bad failed/);
    expect((await rowsOf(db.url)).map((r) => r.migration_name)).toEqual(["20990101000000_good"]);
    expect(await tableExists(db.url, "Good")).toBe(true);
    expect(await tableExists(db.url, "Half")).toBe(false);

    writeMigrations(dir, { "20990102000000_bad": `CREATE TABLE "Half" ("id" TEXT PRIMARY KEY);` });
    expect(await migratePostgres(db.url, { dir })).toEqual(["20990102000000_bad"]);
    expect(await tableExists(db.url, "Half")).toBe(true);
  });

  test("when Prisma left a failed migration behind, then migrate refuses to go on", async () => {
    writeMigrations(dir, { "20990101000000_good": `CREATE TABLE "Good" ("id" TEXT PRIMARY KEY);` });
    await migratePostgres(db.url, { dir });
    await withPg(db.url, (c) => c.query(`UPDATE "_prisma_migrations" SET finished_at = NULL`));
    writeMigrations(dir, { "20990102000000_next": `CREATE TABLE "Next" ("id" TEXT PRIMARY KEY);` });
    await expect(migratePostgres(db.url, { dir })).rejects.toThrow(/20990101000000_good failed earlier/);
    expect(await tableExists(db.url, "Next")).toBe(false);
  });

  test("when the migrations are applied, then the tables match prisma/postgres/schema.prisma exactly", async () => {
    await migrate(db.url);
    const expected = await createPostgresDatabase(adminUrl as string);
    try {
      const script = await createScriptFor("prisma/postgres/schema.prisma", dir);
      await withPg(expected.url, (c) => c.query(script));
      expect(await postgresShape(db.url)).toEqual(await postgresShape(expected.url));
    } finally {
      await expected.drop();
    }
  });
});
