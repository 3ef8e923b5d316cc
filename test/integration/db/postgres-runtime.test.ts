import { createDb, databaseKind } from "../../../src/db/client.js";
import { startTestApp } from "../../support/app.js";
import { createPostgresDatabase, postgresAdminUrl, withDatabase, withPg } from "../../support/database.js";

const adminUrl = postgresAdminUrl();

const databaseExists = (name: string) =>
  withPg(adminUrl as string, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1);

// Runs on CI's PostgreSQL pass (TEST_DATABASE_URL set by scripts/ci-postgres.sh); the SQLite pass skips it.
(adminUrl ? describe : describe.skip)("the server on PostgreSQL", () => {
  test("when TEST_DATABASE_URL is set, then each test app gets a new PostgreSQL database that close() drops", async () => {
    const a = await startTestApp();
    const b = await startTestApp();
    const nameA = new URL(a.config.databaseUrl).pathname.slice(1);
    const nameB = new URL(b.config.databaseUrl).pathname.slice(1);
    try {
      expect(databaseKind(a.config.databaseUrl)).toBe("postgres");
      expect(nameA).toMatch(/^wa_test_[0-9a-f]{12}$/);
      expect(nameB).not.toBe(nameA);
      await a.ctx.db.workspace.create({ data: { name: "only in A" } });
      expect(await b.ctx.db.workspace.count({ where: { name: "only in A" } })).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
    expect(await databaseExists(nameA)).toBe(false);
    expect(await databaseExists(nameB)).toBe(false);
  });

  test("when DATABASE_URL is postgres://, then the app's client writes and reads through PostgreSQL", async () => {
    const t = await startTestApp();
    try {
      const ws = await t.ctx.db.workspace.create({ data: { name: "Acme" } });
      const seen = await withPg(t.config.databaseUrl, async (c) => (await c.query(`SELECT name FROM "Workspace" WHERE id = $1`, [ws.id])).rows);
      expect(seen).toEqual([{ name: "Acme" }]);
    } finally {
      await t.close();
    }
  });

  test("when the credentials are wrong, then createDb fails at once instead of on the first request", async () => {
    const db = await createPostgresDatabase(adminUrl as string);
    try {
      const wrong = new URL(db.url);
      wrong.password = "not-the-password";
      await expect(createDb(wrong.toString())).rejects.toThrow(/authentication failed/);
    } finally {
      await db.drop();
    }
  });

  test("when the database does not exist, then createDb fails at once", async () => {
    await expect(createDb(withDatabase(adminUrl as string, "wa_test_missing"))).rejects.toThrow(/does not exist/);
  });
});
