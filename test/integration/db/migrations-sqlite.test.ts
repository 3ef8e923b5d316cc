import fs from "node:fs";
import path from "node:path";
import { migrate } from "../../../src/db/migrate.js";
import { migrationsDir, readMigrations } from "../../../src/db/migrations.js";
import { tempDir } from "../../support/app.js";
import { createScriptFor, execSqlite, migrateInChildProcess, prismaCli, sqliteMigrationRows, sqliteShape } from "../../support/db-helpers.js";

const files = readMigrations(migrationsDir("sqlite"));

describe("SQLite migrations and Prisma's bookkeeping", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = tempDir("wa-mig-sqlite-");
    file = path.join(dir, "app.db");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when our migrator has run, then `prisma migrate status` reports the database up to date", async () => {
    await migrate(`file:${file}`);
    const status = await prismaCli(["migrate", "status"], { DATABASE_URL: `file:${file}` });
    expect(status.output).toContain("Database schema is up to date!");
    expect(status.code).toBe(0);
  });

  test("when a migration's row is missing, then `prisma migrate status` reports it as not applied", async () => {
    await migrate(`file:${file}`);
    await execSqlite(file, `DELETE FROM "_prisma_migrations" WHERE migration_name = '${files[files.length - 1].name}'`);
    const status = await prismaCli(["migrate", "status"], { DATABASE_URL: `file:${file}` });
    expect(status.output).toContain("not yet been applied");
    expect(status.output).toContain(files[files.length - 1].name);
    expect(status.code).not.toBe(0);
  });

  test("when migrations are applied, then each row matches its file and stores the SHA-256 of migration.sql", async () => {
    expect(await migrate(`file:${file}`)).toEqual(files.map((m) => m.name));
    const rows = await sqliteMigrationRows(file);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((m) => [m.name, m.checksum]));
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test("when migrate runs again, then it applies nothing and adds no row", async () => {
    await migrate(`file:${file}`);
    expect(await migrate(`file:${file}`)).toEqual([]);
    expect(await sqliteMigrationRows(file)).toHaveLength(files.length);
  });

  // Each migration is its own write transaction, so two processes may take turns between migrations (which one
  // wins each turn is up to the scheduler). What must hold: every migration is applied exactly once, in order,
  // and both processes return only when the file is fully migrated.
  test("when two processes migrate a fresh file together, then every migration is applied exactly once, in order", async () => {
    const results = await Promise.all([migrateInChildProcess(`file:${file}`), migrateInChildProcess(`file:${file}`)]);
    const names = files.map((m) => m.name);
    expect([...results[0], ...results[1]].sort()).toEqual(names);
    for (const applied of results) expect(applied).toEqual(names.filter((n) => applied.includes(n)));
    const rows = await sqliteMigrationRows(file);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    expect(await migrate(`file:${file}`)).toEqual([]);
  });

  test("when the migrations are applied, then the tables match prisma/schema.prisma exactly", async () => {
    await migrate(`file:${file}`);
    const expected = path.join(dir, "expected.db");
    await execSqlite(expected, await createScriptFor("prisma/schema.prisma", dir));
    expect(await sqliteShape(file)).toEqual(await sqliteShape(expected));
  });
});
