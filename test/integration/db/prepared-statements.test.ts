import { findKeyForCheck } from "../../../src/api-keys/find-key-for-check.js";
import { digestKey } from "../../../src/api-keys/key-format.js";
import type { Db } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { createPostgresDb, DEFAULT_POSTGRES_LIMITS } from "../../../src/db/postgres.js";
import { preparedName } from "../../../src/db/prepared-statements.js";
import { readRows } from "../../../src/db/read-rows.js";
import { Prisma } from "../../../src/generated/sqlite/client.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase, withPg } from "../../support/database.js";

const adminUrl = postgresAdminUrl();

interface PreparedRow {
  name: string;
  statement: string;
  generic_plans: bigint;
  custom_plans: bigint;
}

/** What PostgreSQL holds prepared on the pool's one connection (pg_prepared_statements is per connection). */
const preparedOnConnection = (db: Db) =>
  db.$queryRawUnsafe<PreparedRow[]>(`SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'wa\\_%'`);

const backendPid = async (db: Db) => (await db.$queryRawUnsafe<{ pid: number }[]>("SELECT pg_backend_pid() AS pid"))[0].pid;

// Runs on CI's PostgreSQL pass (TEST_DATABASE_URL set by scripts/ci-postgres.sh); the SQLite pass skips it.
(adminUrl ? describe : describe.skip)("hand-written reads kept prepared on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Db;
  let digest: string;

  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl as string);
    await migrate(database.url);
    // One pooled connection, so every statement of the test runs on the connection it then inspects.
    db = await createPostgresDb(database.url, { ...DEFAULT_POSTGRES_LIMITS, poolSize: 1 });
    const ws = await db.workspace.create({ data: { name: "Prepared" } });
    digest = digestKey("mrk_prepared_statement_test_key");
    await db.apiKey.create({ data: { workspaceId: ws.id, name: "k", access: "read_only", digest, prefix: "mrk_prep" } });
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  test("when a key check reads its key ten times, then PostgreSQL parsed it once and stopped planning it after five runs", async () => {
    for (let i = 0; i < 10; i++) expect((await findKeyForCheck(db, digest))?.workspace.name).toBe("Prepared");
    const keyCheck = (await preparedOnConnection(db)).filter((row) => row.statement.includes(`FROM "ApiKey" k JOIN "Workspace" w`));
    expect(keyCheck).toHaveLength(1);
    expect(keyCheck[0].name).toBe(preparedName(keyCheck[0].statement));
    // Five custom plans, then the generic plan for every run after (plan_cache_mode = auto).
    expect(Number(keyCheck[0].custom_plans)).toBe(5);
    expect(Number(keyCheck[0].generic_plans)).toBeGreaterThanOrEqual(5);
  });

  test("when Prisma's own queries run, then they are not prepared: only the registered hand-written texts are", async () => {
    await db.workspace.findMany({ where: { name: "Prepared" } });
    await db.$queryRawUnsafe(`SELECT count(*) FROM "Workspace"`);
    const statements = (await preparedOnConnection(db)).map((row) => row.statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(preparedName(statement)).toMatch(/^wa_[0-9a-f]{32}$/);
    // Prisma qualifies its tables with the schema; the hand-written statements do not.
    expect(statements.some((statement) => statement.includes(`"public"."Workspace"`))).toBe(false);
  });

  test("when the server ends the pool's connection, then the next connection prepares the read again and answers", async () => {
    await findKeyForCheck(db, digest);
    const before = await backendPid(db);
    await withPg(adminUrl as string, (c) => c.query("SELECT pg_terminate_backend($1)", [before]));
    // The pool hears its idle connection end and drops it; the read may race that and fail once, as any query would.
    const found = await findKeyForCheck(db, digest).catch(() => findKeyForCheck(db, digest));
    expect(found?.workspace.name).toBe("Prepared");
    expect(await backendPid(db)).not.toBe(before);
    expect((await preparedOnConnection(db)).some((row) => row.statement.includes(`FROM "ApiKey" k JOIN "Workspace" w`))).toBe(true);
  });

  test("when a read selects every column, then it is not prepared, so a column added later cannot break it", async () => {
    await db.$executeRawUnsafe(`CREATE TABLE "PreparedProbe" ("id" TEXT PRIMARY KEY)`);
    await db.$executeRawUnsafe(`INSERT INTO "PreparedProbe" ("id") VALUES ('one')`);
    const all = Prisma.sql`SELECT * FROM "PreparedProbe"`;
    for (let i = 0; i < 6; i++) expect(await readRows(db, all)).toEqual([{ id: "one" }]);
    await db.$executeRawUnsafe(`ALTER TABLE "PreparedProbe" ADD COLUMN "note" TEXT DEFAULT 'added'`);
    expect(await readRows(db, all)).toEqual([{ id: "one", note: "added" }]);
    expect((await preparedOnConnection(db)).some((row) => row.statement.includes(`"PreparedProbe"`))).toBe(false);
  });
});
