import fs from "node:fs";
import path from "node:path";
import { migrationsDir, readMigrations } from "../../src/db/migrations.js";
import { tempDir } from "../support/app.js";
import { migrateInChildProcess, sqliteMigrationRows } from "../support/db-helpers.js";

const PROCESSES = 7;

describe("SQLite: several servers starting together on one fresh file", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("wa-fault-startup-");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("when 7 processes open and migrate the same fresh file at once, then none fails (no SQLITE_BUSY_RECOVERY) and the migrations are applied once", async () => {
    const file = path.join(dir, "app.db");
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: PROCESSES }, () => migrateInChildProcess(`file:${file}`)));
    const failures = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
    const applied = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<string[]>).value.length);
    console.log(
      `[figure] sqlite start-up race: ${PROCESSES} processes migrated one fresh file in ${(performance.now() - started).toFixed(0)} ms, ` +
        `${failures.length} failed, migrations applied per process ${JSON.stringify(applied.sort())}`,
    );
    expect(failures).toEqual([]);
    const expected = readMigrations(migrationsDir("sqlite")).length;
    expect(applied.reduce((a, b) => a + b, 0)).toBe(expected);
    expect(await sqliteMigrationRows(file)).toHaveLength(expected);
  });
});
