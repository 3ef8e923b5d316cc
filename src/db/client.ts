import fs from "node:fs";
import path from "node:path";
import type { Client, Config } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "../generated/sqlite/client.js";
import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from "@prisma/driver-adapter-utils";
import { observeStatements } from "./observe-statements.js";
import { readThroughAdapter } from "./read-rows.js";
import { OwnedSqliteClient } from "./sqlite-connection.js";
import { driverResult, sqliteArgs } from "./sqlite-read-now.js";
import { SQLITE_LOCK_WAIT_MS } from "./sqlite-lock-wait.js";
import { queueTransactions } from "./transaction-queue.js";
import type { PostgresLimits } from "./postgres.js";

/** The Prisma client every service receives. Both databases share the same model API. */
export type Db = PrismaClient;

export type DatabaseKind = "sqlite" | "postgres";

/** Tells which database a DATABASE_URL points at. */
export function databaseKind(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
}

/** Resolves `file:./x.db` against the working directory and creates its folder. */
export function sqliteFilePath(url: string): string {
  const file = path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

export interface DbOptions {
  /**
   * SQLite: how long a write waits for the write lock another process holds before DatabaseBusyError (503).
   * Short for servers (SQLITE_LOCK_WAIT_MS, requests must answer); long for the CLI, where a person waits.
   */
  lockWaitMs?: number;
  /** PostgreSQL: pool and timeout limits (connect, query, statement). */
  postgres?: PostgresLimits;
  /** Hears the text of every statement the client runs (the benchmark counts statements per request). */
  onStatement?: (sql: string) => void;
}

/** Creates the Prisma client for the configured database. The only place that knows about drivers. */
export async function createDb(url: string, options: DbOptions = {}): Promise<Db> {
  if (databaseKind(url) === "postgres") {
    const { createPostgresDb } = await import("./postgres.js");
    return createPostgresDb(url, options.postgres, options.onStatement);
  }
  const file = sqliteFilePath(url);
  const lockWaitMs = options.lockWaitMs ?? SQLITE_LOCK_WAIT_MS;
  const adapter = new OwnedConnectionLibSQL({ url: `file:${file}` }, lockWaitMs, options.onStatement);
  const prisma = new PrismaClient({
    adapter,
    // Our queue bounds the wait (and answers 503); Prisma's maxWait would turn a longer wait into a 500.
    transactionOptions: { maxWait: 2 * lockWaitMs + 1000 },
  });
  readThroughAdapter(prisma, () => adapter.connected, adapter.readNow);
  // Opens and configures the connection now, so a locked or unreadable file fails at start, not on a request.
  await prisma.$queryRawUnsafe("SELECT 1");
  return prisma;
}

/** Prisma's libSQL adapter on one owned, fully configured connection (see OwnedSqliteClient). */
class OwnedConnectionLibSQL extends PrismaLibSQL {
  #client: OwnedSqliteClient | undefined;
  /** The adapter Prisma runs its queries through, once it has connected (read-rows.ts uses it too). */
  connected: SqlDriverAdapter | undefined;

  constructor(
    config: Config,
    private readonly lockWaitMs = SQLITE_LOCK_WAIT_MS,
    private readonly onStatement?: (sql: string) => void,
  ) {
    super(config);
  }

  override createClient(config: Config): Client {
    this.#client = new OwnedSqliteClient(config.url, this.lockWaitMs);
    return this.#client;
  }

  /**
   * A read run at once when the connection is idle (OwnedSqliteClient.readIfIdle), in and out in the adapter's own
   * form (sqlite-read-now.ts); undefined when it must go through the adapter, or before Prisma has connected.
   */
  readonly readNow = (query: SqlQuery): SqlResultSet | undefined => {
    if (!this.connected || !this.#client) return undefined;
    const args = sqliteArgs(query);
    const result = args && this.#client.readIfIdle({ sql: query.sql, args });
    if (!result) return undefined;
    this.onStatement?.(query.sql);
    return driverResult(result);
  };

  /** One wait budget per transaction: its time in our queue, then what is left for SQLite's write lock. */
  override async connect(): Promise<SqlDriverAdapter> {
    const adapter = await super.connect();
    const queued = queueTransactions(adapter, this.lockWaitMs, (remainingMs) => this.#client?.limitNextBegin(remainingMs));
    this.connected = this.onStatement ? observeStatements(queued, this.onStatement) : queued;
    return this.connected;
  }
}
