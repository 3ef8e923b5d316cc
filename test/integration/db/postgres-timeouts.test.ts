import type { Db } from "../../../src/db/client.js";
import { isDatabaseUnavailable } from "../../../src/db/database-unavailable.js";
import { createPostgresDb, DEFAULT_POSTGRES_LIMITS } from "../../../src/db/postgres.js";
import { hasPostgresBinaries, type PostgresCluster, startPostgresCluster } from "../../support/postgres-cluster.js";

const withPostgres = hasPostgresBinaries ? describe : describe.skip;

/** The server process behind the connection a query runs on. */
const backendPid = async (db: Db) => ((await db.$queryRawUnsafe("SELECT pg_backend_pid() AS pid")) as { pid: number }[])[0].pid;

withPostgres("PostgreSQL connections with bounded waits (needs /usr/lib/postgresql/15/bin)", () => {
  let cluster: PostgresCluster;
  let db: Db;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    // One pooled connection, so the next query necessarily gets the connection the last one left behind.
    db = await createPostgresDb(cluster.adminUrl, { ...DEFAULT_POSTGRES_LIMITS, poolSize: 1, queryTimeoutMs: 500, statementTimeoutMs: 3000 });
  }, 120_000);

  afterAll(async () => {
    await db?.$disconnect();
    await cluster?.destroy();
  });

  test("when a query inside a transaction outlives the client-side timeout, then it fails as an outage and its connection is closed, not reused", async () => {
    const before = await backendPid(db);
    const started = performance.now();
    const failure = await db.$transaction(async (tx) => tx.$queryRawUnsafe("SELECT pg_sleep(2)")).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(performance.now() - started).toBeLessThan(1900);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    // The stuck connection would make this wait behind pg_sleep and time out; a fresh one answers at once.
    const after = await backendPid(db);
    expect(after).not.toBe(before);
  });

  test("when queries answer within the timeout, then they share one pooled connection", async () => {
    const first = await backendPid(db);
    await db.$transaction(async (tx) => tx.$queryRawUnsafe("SELECT 1"));
    expect(await backendPid(db)).toBe(first);
  });

  test("when a transaction's connection dies, then its pool slot is given back (the pool keeps serving)", async () => {
    for (let i = 0; i < 3; i++) {
      await db.$transaction(async (tx) => tx.$queryRawUnsafe("SELECT pg_sleep(2)")).catch(() => undefined);
    }
    expect(await backendPid(db)).toEqual(expect.any(Number));
  });
});
