import fs from "node:fs";
import { createDb, type Db } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { readJson, readRows } from "../../../src/db/read-rows.js";
import { Prisma } from "../../../src/generated/sqlite/client.js";
import { tempDir } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

/** The reads the hot paths make through the driver adapter (db/read-rows.ts), on SQLite or, with TEST_DATABASE_URL, PostgreSQL. */
describe("reads through the driver adapter", () => {
  let dir: string;
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    dir = tempDir("wa-read-rows-");
    database = await createTestDatabase(dir);
    await migrate(database.url);
    db = await createDb(database.url);
    const ws = await db.workspace.create({ data: { id: "ws-read-rows", name: "Read Rows" } });
    await db.subscriber.createMany({
      data: [
        { workspaceId: ws.id, email: "A@x.test", emailNormalized: "a@x.test", firstName: "Ä", lastName: null },
        { workspaceId: ws.id, email: "B@x.test", emailNormalized: "b@x.test", firstName: null, lastName: "O'Brien" },
      ],
    });
    await db.rateLimitCounter.create({ data: { id: "read-rows|0", count: 41, expiresAt: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)) } });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when rows are read, then their values are exactly those $queryRaw returns (text, null, numbers, date-times)", async () => {
    const since = new Date(Date.UTC(2000, 0, 1));
    const query = Prisma.sql`
      SELECT s."id", s."email", s."firstName", s."lastName", s."createdAt", c."count", c."expiresAt", ${"bound"} AS "label", ${7} AS "seven"
      FROM "Subscriber" s, "RateLimitCounter" c
      WHERE s."workspaceId" = ${"ws-read-rows"} AND s."createdAt" > ${since} AND c."id" = ${"read-rows|0"}
      ORDER BY s."email"`;
    const viaAdapter = await readRows<Record<string, unknown>>(db, query);
    expect(viaAdapter).toHaveLength(2);
    expect(viaAdapter).toEqual(await db.$queryRaw<Record<string, unknown>[]>(query));
    expect(viaAdapter[0].createdAt).toBeInstanceOf(Date);
    expect(viaAdapter[0].expiresAt).toEqual(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)));
    expect(viaAdapter[0]).toMatchObject({ firstName: "Ä", lastName: null, count: 41 });
  });

  test("when a read returns one column of JSON text, then readJson gives it parsed, on either database and in a transaction; no rows give null", async () => {
    const counters = (id: string) => (database: "sqlite" | "postgres") =>
      database === "sqlite"
        ? Prisma.sql`SELECT json_group_array(json_array("id", "count", ${"bound"})) FROM "RateLimitCounter" WHERE "id" = ${id}`
        : Prisma.sql`SELECT json_agg(json_build_array("id", "count", ${"bound"}::text))::text FROM "RateLimitCounter" WHERE "id" = ${id}`;
    expect(await readJson(db, counters("read-rows|0"))).toEqual([["read-rows|0", 41, "bound"]]);
    expect(await db.$transaction((tx) => readJson(tx, counters("read-rows|0")))).toEqual([["read-rows|0", 41, "bound"]]);
    // SQLite's json_group_array of no rows is "[]"; PostgreSQL's json_agg is NULL.
    expect([[], null]).toContainEqual(await readJson(db, counters("none")));
    await expect(readJson(db, () => Prisma.sql`SELECT 1`)).rejects.toThrow("one column of JSON text");
  });

  test("when a read runs in a transaction, then it goes through that transaction's client and sees its writes", async () => {
    const seen = await db.$transaction(async (tx) => {
      await tx.rateLimitCounter.update({ where: { id: "read-rows|0" }, data: { count: 42 } });
      const rows = await readRows<{ count: number }>(tx, Prisma.sql`SELECT "count" FROM "RateLimitCounter" WHERE "id" = ${"read-rows|0"}`);
      throw Object.assign(new Error("roll back"), { rows });
    }).catch((err: { rows?: { count: number }[] }) => err.rows);
    expect(seen).toEqual([{ count: 42 }]);
    expect(await readRows(db, Prisma.sql`SELECT "count" FROM "RateLimitCounter" WHERE "id" = ${"read-rows|0"}`)).toEqual([{ count: 41 }]);
  });

  test("when a table gains a column after a statement ran, then the same statement text returns the new column", async () => {
    // Both keep statements prepared: SQLite's connection caches them, PostgreSQL's reads are named (prepared-statements.ts).
    await db.$executeRawUnsafe(`CREATE TABLE "ReadRowsProbe" ("id" TEXT PRIMARY KEY)`);
    await db.$executeRawUnsafe(`INSERT INTO "ReadRowsProbe" ("id") VALUES ('one')`);
    const all = Prisma.sql`SELECT * FROM "ReadRowsProbe"`;
    expect(await readRows(db, all)).toEqual([{ id: "one" }]);
    await db.$executeRawUnsafe(`ALTER TABLE "ReadRowsProbe" ADD COLUMN "note" TEXT DEFAULT 'added'`);
    expect(await readRows(db, all)).toEqual([{ id: "one", note: "added" }]);
  });
});
