import fs from "node:fs";
import { createDb, type Db } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { inRawTransaction } from "../../../src/db/raw-transaction.js";
import { Prisma } from "../../../src/generated/sqlite/client.js";
import { tempDir } from "../../support/app.js";
import { createTestDatabase, type TestDatabase } from "../../support/database.js";

const count = (id: string) => Prisma.sql`SELECT "count" FROM "RateLimitCounter" WHERE "id" = ${id}`;

/** Transactions straight on the driver adapter (db/raw-transaction.ts), on SQLite or, with TEST_DATABASE_URL, PostgreSQL. */
describe("a raw transaction on the driver adapter", () => {
  let dir: string;
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    dir = tempDir("wa-raw-tx-");
    database = await createTestDatabase(dir);
    await migrate(database.url);
    db = await createDb(database.url);
    const expiresAt = new Date(Date.UTC(2030, 0, 1));
    await db.rateLimitCounter.createMany({ data: ["a", "b", "c"].map((id) => ({ id, count: 1, expiresAt })) });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when the work resolves, then its writes are committed, RETURNING rows and counts come back, and other clients see them", async () => {
    const result = await inRawTransaction(db, async (tx) => {
      const changed = await tx.run(Prisma.sql`UPDATE "RateLimitCounter" SET "count" = "count" + 1 WHERE "id" IN (${"a"}, ${"b"})`);
      const returned = await tx.rows<{ id: string; count: number }>(
        Prisma.sql`UPDATE "RateLimitCounter" SET "count" = "count" + 10 WHERE "id" = ${"a"} RETURNING "id", "count"`,
      );
      return { changed, returned };
    });
    expect(result).toEqual({ changed: 2, returned: [{ id: "a", count: 12 }] });
    const other = await createDb(database.url);
    try {
      expect(await other.$queryRaw(count("a"))).toEqual([{ count: 12 }]);
      expect(await other.$queryRaw(count("b"))).toEqual([{ count: 2 }]);
    } finally {
      await other.$disconnect();
    }
  });

  test("when the work throws, then none of its writes is kept and the caller gets that error", async () => {
    const failure = await inRawTransaction(db, async (tx) => {
      await tx.run(Prisma.sql`UPDATE "RateLimitCounter" SET "count" = 99 WHERE "id" = ${"c"}`);
      expect(await tx.rows(count("c"))).toEqual([{ count: 99 }]);
      throw new Error("changed my mind");
    }).catch((err: unknown) => err);
    expect((failure as Error).message).toBe("changed my mind");
    expect(await db.$queryRaw(count("c"))).toEqual([{ count: 1 }]);
  });

  test("when a statement fails, then the transaction is rolled back and the next one on the same client works", async () => {
    const failure = await inRawTransaction(db, async (tx) => {
      await tx.run(Prisma.sql`UPDATE "RateLimitCounter" SET "count" = 50 WHERE "id" = ${"c"}`);
      await tx.run(Prisma.sql`INSERT INTO "RateLimitCounter" ("id", "count", "expiresAt") VALUES (${"a"}, ${1}, ${new Date()})`);
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(await db.$queryRaw(count("c"))).toEqual([{ count: 1 }]);
    await inRawTransaction(db, (tx) => tx.run(Prisma.sql`UPDATE "RateLimitCounter" SET "count" = 7 WHERE "id" = ${"c"}`));
    expect(await db.$queryRaw(count("c"))).toEqual([{ count: 7 }]);
  });

  test("when raw transactions and Prisma's own run at once, then every increment is kept", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? inRawTransaction(db, (tx) => tx.run(Prisma.sql`UPDATE "RateLimitCounter" SET "count" = "count" + 1 WHERE "id" = ${"b"}`))
          : db.$transaction(async (tx) => {
              await tx.rateLimitCounter.update({ where: { id: "b" }, data: { count: { increment: 1 } } });
            }),
      ),
    );
    expect(await db.$queryRaw(count("b"))).toEqual([{ count: 22 }]);
  });
});
