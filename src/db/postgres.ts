import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/postgres/client.js";
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

/** The message pg gives a query that outlived `query_timeout`. */
const READ_TIMEOUT = "Query read timeout";
/** TCP keep-alive probes start after this much silence, so a peer gone without a word is noticed. */
const KEEPALIVE_DELAY_MS = 10_000;

const isReadTimeout = (err: unknown) => err instanceof Error && err.message === READ_TIMEOUT;

/**
 * A pg client that closes itself when a query times out. pg leaves the timed-out query on the wire, so the
 * next query on that connection would wait behind it; and @prisma/adapter-pg releases a transaction's client
 * to the pool without an error, which would hand that stuck connection to the next request. Ending the
 * client (`end` destroys the socket while a query is active) makes the pool discard it on release.
 */
class TimeoutClosingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (err: unknown, res: unknown) => {
        if (isReadTimeout(err)) this.closeAfterTimeout();
        (callback as (e: unknown, r: unknown) => void)(err, res);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    // Registered before the caller's own handlers, so the client is closing before anyone can release it.
    if (result instanceof Promise) result.catch((err: unknown) => isReadTimeout(err) && this.closeAfterTimeout());
    return result as never;
  }

  private closeAfterTimeout(): void {
    this.end().catch(() => undefined);
  }
}

/** The pg pool behind Prisma, with every wait bounded. */
export function createPostgresPool(url: string, limits: PostgresLimits): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    Client: TimeoutClosingClient,
    max: limits.poolSize,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    idleTimeoutMillis: limits.idleTimeoutMs,
    query_timeout: limits.queryTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
}

/**
 * The Prisma client for PostgreSQL. It is generated from prisma/postgres/schema.prisma, which
 * scripts/sync-schemas.ts derives from the SQLite schema, so both clients expose the same models and API.
 */
export async function createPostgresDb(url: string, limits: PostgresLimits = DEFAULT_POSTGRES_LIMITS): Promise<Db> {
  const pool = createPostgresPool(url, limits);
  // Errors of idle connections (the server restarted) are expected: the pool drops them and opens new ones.
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
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
