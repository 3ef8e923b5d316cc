import path from "node:path";
import crypto from "node:crypto";
import pg from "pg";

/** A database of its own for one test app; drop() removes it (a no-op for SQLite, whose folder the caller removes). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The PostgreSQL admin URL of CI's PostgreSQL run (`scripts/ci-postgres.sh`), or undefined on the SQLite run. */
export function postgresAdminUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/** The URL of another database on the same server, with the same credentials. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `work` with a connected `pg` client, then disconnects. */
export async function withPg<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A brand-new, empty PostgreSQL database on the server of `adminUrl`, dropped by drop(). */
export async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `wa_test_${crypto.randomBytes(6).toString("hex")}`;
  await withPg(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    url: withDatabase(adminUrl, name),
    // FORCE: a pool the test forgot to close must not keep the database alive.
    drop: () => withPg(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * The database for one test app: a fresh PostgreSQL database when TEST_DATABASE_URL is set (so test files
 * stay isolated on one server), otherwise a new SQLite file in `dir`.
 */
export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  const adminUrl = postgresAdminUrl();
  if (adminUrl) return createPostgresDatabase(adminUrl);
  return { url: `file:${path.join(dir, "test.db")}`, drop: async () => undefined };
}
