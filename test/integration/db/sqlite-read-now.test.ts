import fs from "node:fs";
import path from "node:path";
import { jest } from "@jest/globals";
import fc from "fast-check";
import { createDb, type Db } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { adapterUnder, driverQuery, readRows, rowsOf } from "../../../src/db/read-rows.js";
import { Prisma } from "../../../src/generated/sqlite/client.js";
import { tempDir } from "../../support/app.js";

const SEED = Number(process.env.FC_SEED ?? 20261201);

/** A table with a column of every declared type Prisma's libSQL adapter distinguishes, and one without a type. */
const PROBE_TABLE = `CREATE TABLE "ReadNowProbe" (
  "id" INTEGER PRIMARY KEY, "t" TEXT, "i" INTEGER, "b" BIGINT, "r" REAL, "d" DATETIME, "day" DATE, "bo" BOOLEAN,
  "bl" BLOB, "dec" DECIMAL, "j" JSONB, "u")`;

/** A row as the test writes it: date-times either as Prisma's adapter writes them (text) or as epoch milliseconds; numbers Prisma can bind. */
const probeRow = fc.record({
  t: fc.option(fc.string({ unit: "grapheme", maxLength: 12 })),
  i: fc.option(fc.integer()),
  b: fc.option(fc.bigInt({ min: BigInt(Number.MIN_SAFE_INTEGER), max: BigInt(Number.MAX_SAFE_INTEGER) })),
  r: fc.option(fc.double({ noNaN: true, min: -1e15, max: 1e15 })),
  d: fc.option(fc.oneof(fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString().replace("Z", "+00:00")), fc.integer({ min: 0, max: 4e12 }))),
  day: fc.option(fc.constantFrom("2026-12-02", "1999-01-31")),
  bo: fc.option(fc.constantFrom(0, 1)),
  bl: fc.option(fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes))),
  dec: fc.option(fc.double({ noNaN: true, min: -1e15, max: 1e15 })),
  j: fc.option(fc.constantFrom(`{"a":1}`, "[]")),
  u: fc.option(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.double({ noNaN: true, min: -1e15, max: 1e15 }))),
});

describe("a read that runs at once on SQLite's idle connection (sqlite-read-now.ts)", () => {
  let dir: string;
  let db: Db;
  const statements: string[] = [];

  beforeAll(async () => {
    dir = tempDir("wa-read-now-");
    const url = `file:${path.join(dir, "read-now.db")}`;
    await migrate(url);
    db = await createDb(url, { onStatement: (sql) => statements.push(sql) });
    await db.$executeRawUnsafe(PROBE_TABLE);
  });
  afterAll(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when generated rows are read with arguments of every kind, then readRows returns exactly what it returns through the adapter", async () => {
    const adapter = adapterUnder(db);
    if (!adapter) throw new Error("no adapter connected");
    const throughAdapter = async (query: Prisma.Sql) => rowsOf(await adapter.queryRaw(driverQuery(adapter, query)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(probeRow, { minLength: 0, maxLength: 6 }),
        fc.integer(),
        fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
        fc.string({ maxLength: 4 }),
        async (rows, atLeast, since, prefix) => {
          await db.$executeRawUnsafe(`DELETE FROM "ReadNowProbe"`);
          for (const [n, row] of rows.entries()) {
            await db.$executeRaw`INSERT INTO "ReadNowProbe" ("id", "t", "i", "b", "r", "d", "day", "bo", "bl", "dec", "j", "u")
              VALUES (${n}, ${row.t}, ${row.i}, ${row.b}, ${row.r}, ${row.d}, ${row.day}, ${row.bo}, ${row.bl}, ${row.dec}, ${row.j}, ${row.u})`;
          }
          const queries = [
            Prisma.sql`SELECT * FROM "ReadNowProbe" ORDER BY "id"`,
            Prisma.sql`SELECT "id", "i" * 1.5 AS "half", "t" || ${prefix} AS "joined", ${atLeast} AS "bound", ${true} AS "yes", ${since} AS "when"
              FROM "ReadNowProbe" WHERE "i" >= ${atLeast} OR "d" >= ${since} OR "t" > ${prefix} ORDER BY "id"`,
            Prisma.sql`SELECT count(*) AS "n", max("b") AS "most", json_group_array("t") AS "texts" FROM "ReadNowProbe"`,
          ];
          for (const query of queries) expect(await readRows(db, query)).toEqual(await throughAdapter(query));
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  test("when the connection is idle, then a read does not go through the adapter, and its statement is still observed", async () => {
    const adapter = adapterUnder(db);
    if (!adapter) throw new Error("no adapter connected");
    const queryRaw = jest.spyOn(adapter, "queryRaw");
    try {
      statements.length = 0;
      expect(await readRows(db, Prisma.sql`SELECT ${"idle"} AS "state"`)).toEqual([{ state: "idle" }]);
      expect(queryRaw).not.toHaveBeenCalled();
      expect(statements).toEqual([`SELECT ? AS "state"`]);
    } finally {
      queryRaw.mockRestore();
    }
  });

  test("when a transaction of the same client has written and not yet committed, then a read waits for it and never sees its write", async () => {
    await db.$executeRawUnsafe(`DELETE FROM "ReadNowProbe"`);
    const count = () => readRows<{ n: number }>(db, Prisma.sql`SELECT count(*) AS "n" FROM "ReadNowProbe"`);
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    let rollBack!: () => void;
    const decided = new Promise<void>((resolve) => (rollBack = resolve));
    const transaction = db
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO "ReadNowProbe" ("id", "t") VALUES (1, 'uncommitted')`);
        written();
        await decided;
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await wrote;
    let seen: number | undefined;
    const read = count().then((rows) => (seen = rows[0].n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toBeUndefined();
    rollBack();
    await transaction;
    await read;
    expect(seen).toBe(0);
  });

  test("when a value cannot be read (an integer past 2^53), then readRows fails as $queryRaw does", async () => {
    await db.$executeRawUnsafe(`DELETE FROM "ReadNowProbe"`);
    await db.$executeRawUnsafe(`INSERT INTO "ReadNowProbe" ("id", "b") VALUES (1, 9007199254740993)`);
    const query = Prisma.sql`SELECT "b" FROM "ReadNowProbe"`;
    const viaPrisma = await db.$queryRaw(query).then(() => "resolved", (err: Error) => err.message);
    expect(viaPrisma).not.toBe("resolved");
    await expect(readRows(db, query)).rejects.toThrow(viaPrisma);
  });
});
