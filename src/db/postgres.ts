import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaClient } from "../generated/postgres/client.js";
import { observeStatements } from "./observe-statements.js";
import { PreparingPgClient } from "./preparing-pg-client.js";
import { readThroughAdapter } from "./read-rows.js";
import type { Db } from "./client.js";

/** Every wait on PostgreSQL, bounded (config.ts documents the defaults). */
export interface PostgresLimits {
  /** Opening a connection, and waiting for a free one in the pool. */
  connectTimeoutMs: number;
  /** Client side: how long a query may go unanswered (a dead network never answers). */
  queryTimeoutMs: number;
  /** Server side: PostgreSQL cancels a statement running longer (the connection stays usable). */
  statementTimeoutMs: number;
  /** An idle pooled connection is closed after this long. */
  idleTimeoutMs: number;
  poolSize: number;
}

export const DEFAULT_POSTGRES_LIMITS: PostgresLimits = {
  connectTimeoutMs: 1000,
  queryTimeoutMs: 1000,
  statementTimeoutMs: 800,
  idleTimeoutMs: 30_000,
  poolSize: 10,
};

/** TCP keep-alive probes start after this much silence, so a peer gone without a word is noticed. */
export const KEEPALIVE_DELAY_MS = 10_000;

/** The pg pool behind Prisma, with every wait bounded. */
export function createPostgresPool(url: string, limits: PostgresLimits): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    // Bounded waits (BoundedPgClient), and the hand-written statements (readRows, executeStatement) kept prepared.
    Client: PreparingPgClient,
    max: limits.poolSize,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    idleTimeoutMillis: limits.idleTimeoutMs,
    query_timeout: limits.queryTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
  releaseDeadTransactionClients(pool);
  return pool;
}

/**
 * @prisma/adapter-pg ends a transaction by sending COMMIT or ROLLBACK and only then releasing the client;
 * when that statement fails because the connection died (a timeout closed it, the server restarted, the
 * network broke), the client is never released and its pool slot is lost for good, until every request
 * waits for a connection that never comes. A connection that closes while checked out is released here
 * (as failed, so the pool drops it) once whoever holds it had its chance to.
 */
function releaseDeadTransactionClients(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_err: Error | undefined, client: pg.PoolClient) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    client.once("end", () => {
      setImmediate(() => {
        if (!checkedOut.has(client)) return;
        checkedOut.delete(client);
        client.release(new Error("connection closed while checked out"));
      });
    });
  });
}

/** Prisma's pg adapter, keeping the adapter Prisma connected through (read-rows.ts uses it too). */
class ConnectedPrismaPg extends PrismaPg {
  connected: SqlDriverAdapter | undefined;

  constructor(
    pool: pg.Pool,
    options: ConstructorParameters<typeof PrismaPg>[1],
    private readonly onStatement?: (sql: string) => void,
  ) {
    super(pool, options);
  }

  override async connect() {
    const adapter = await super.connect();
    if (!this.onStatement) return (this.connected = adapter);
    // Prisma uses the adapter only through the SqlDriverAdapter interface.
    this.connected = observeStatements(adapter, this.onStatement);
    return this.connected as typeof adapter;
  }
}

/**
 * The Prisma client for PostgreSQL. It is generated from prisma/postgres/schema.prisma, which
 * scripts/sync-schemas.ts derives from the SQLite schema, so both clients expose the same models and API.
 */
export async function createPostgresDb(
  url: string,
  limits: PostgresLimits = DEFAULT_POSTGRES_LIMITS,
  onStatement?: (sql: string) => void,
): Promise<Db> {
  const pool = createPostgresPool(url, limits);
  // Errors of idle connections (the server restarted) are expected: the pool drops them and opens new ones.
  pool.on("error", () => undefined);
  const adapter = new ConnectedPrismaPg(pool, { disposeExternalPool: true }, onStatement);
  const prisma = new PrismaClient({ adapter });
  readThroughAdapter(prisma, () => adapter.connected);
  // Fail at start, not on the first request, when the server is unreachable or the credentials are wrong
  // ($connect does not touch the server when a driver adapter owns the connections).
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch (err) {
    await prisma.$disconnect();
    throw err;
  }
  return prisma as unknown as Db;
}
