import fs from "node:fs/promises";
import path from "node:path";
import type { Client, InStatement, InValue, ResultSet, Transaction, TransactionMode } from "@libsql/client";
import { Sqlite3Client } from "@libsql/client/sqlite3";
import Database from "libsql";
import { isBusy, withLockRetry } from "./sqlite-lock-wait.js";
import { SqliteStatements } from "./sqlite-statements.js";

/**
 * The settings every SQLite connection of this project gets, in this order: busy_timeout first, so that even
 * switching the journal mode waits for a lock (SQLITE_BUSY_RECOVERY when several servers start together).
 * busy_timeout is short on purpose: libSQL is synchronous, so SQLite's own busy wait freezes the event loop;
 * longer waits happen between attempts, asynchronously (withLockRetry).
 */
export const SQLITE_BUSY_TIMEOUT_MS = 20;
export const CONNECTION_PRAGMAS = [
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  "PRAGMA journal_mode = WAL",
  // NORMAL: SQLite itself does not sync the WAL at COMMIT; OwnedSqliteClient does, off the event loop, before the
  // commit returns (see #durable), so a commit is still on disk before it is acknowledged (kill -9 and power loss
  // alike), as with FULL, without freezing the process for the length of a sync.
  "PRAGMA synchronous = NORMAL",
  "PRAGMA foreign_keys = ON",
];

/**
 * Syncs a file's data to disk (fdatasync: the data and the size needed to read it back). It runs on libuv's
 * thread pool, so the process goes on serving while the disk works. Replaceable in tests.
 */
export type SyncFile = (file: fs.FileHandle) => Promise<void>;
const datasync: SyncFile = (file) => file.datasync();

/** Statements that only read (or set a connection option): they run as they are, never inside BEGIN IMMEDIATE. */
const READ_ONLY = /^\s*(SELECT|PRAGMA|EXPLAIN)\b/i;
/** What readIfIdle runs: plain reads only (a PRAGMA may change the connection). */
const SELECT = /^\s*SELECT\b/i;

/**
 * One open connection: the libSQL database, libSQL's client on it (for scripts), our statement runner (prepared
 * statements kept), and our control statements.
 */
interface Connection {
  database: Database.Database;
  runner: Sqlite3Client;
  statements: SqliteStatements;
  /**
   * Prepared once and re-run: re-running a statement resets it. A BEGIN that failed with SQLITE_BUSY and was
   * never re-run would stay "in progress", and every later COMMIT on the connection would fail.
   */
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
  /** The WAL file, synced after each commit (opened with the connection, or at the first commit of a fresh file). */
  wal?: fs.FileHandle;
}

function open(path: string): Connection {
  const database = new Database(path);
  try {
    for (const pragma of CONNECTION_PRAGMAS) database.prepare(pragma).all();
    return {
      database,
      runner: new Sqlite3Client(path, {}, database, "number"),
      statements: new SqliteStatements(database),
      begin: database.prepare("BEGIN IMMEDIATE"),
      commit: database.prepare("COMMIT"),
      rollback: database.prepare("ROLLBACK"),
    };
  } catch (err) {
    database.close();
    throw err;
  }
}

/**
 * A libSQL client that owns exactly one connection, configured with CONNECTION_PRAGMAS, for its whole life.
 * libSQL's own client hands its connection to each transaction and silently opens a new one (without the pragmas)
 * for what follows: one file descriptor per transaction until garbage collection. Here transactions run on the same
 * connection: @prisma/adapter-libsql already serialises every query and transaction of a client through its mutex,
 * so nothing else uses the connection while a transaction is open.
 *
 * Writes always hold the write lock from their BEGIN IMMEDIATE, taken by withLockRetry (short synchronous waits,
 * asynchronous backoff between them, DatabaseBusyError after SQLITE_LOCK_WAIT_MS): a statement inside never meets
 * SQLITE_BUSY, so none is left half-run.
 */
export class OwnedSqliteClient implements Client {
  closed = false;
  readonly protocol = "file";
  readonly #path: string;
  #conn: Connection | undefined;
  #inTransaction = false;
  /** Work on the connection that a read must not run in the middle of: a script, a commit waiting for its sync. */
  #busy = 0;
  #nextBeginWaitMs: number | undefined;

  constructor(
    url: string,
    private readonly lockWaitMs: number,
    private readonly syncFile: SyncFile = datasync,
  ) {
    this.#path = path.resolve(url.replace(/^file:/, ""));
  }

  /** The connection, opened and configured on first use (again after one had to be dropped). */
  async #connection(): Promise<Connection> {
    if (this.closed) throw new Error("The SQLite client is closed");
    if (!this.#conn) {
      const conn = await withLockRetry(async () => open(this.#path), this.lockWaitMs);
      // Opened with the connection when the file already has a WAL (a fresh file gets one at its first write), so
      // the descriptors a connection holds are settled from the start.
      conn.wal = await this.#openWal().catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return undefined;
        conn.database.close();
        throw err;
      });
      this.#conn = conn;
    }
    return this.#conn;
  }

  /** Closing a connection releases whatever it holds; the next use opens a fresh, configured one. */
  #drop(): void {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#inTransaction = false;
    void conn?.wal?.close().catch(() => undefined);
    try {
      conn?.database.close();
    } catch {
      // Already unusable: nothing more to release.
    }
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    const conn = await this.#connection();
    if (this.#inTransaction) return conn.statements.execute(stmt);
    const sql = typeof stmt === "string" ? stmt : stmt.sql;
    if (READ_ONLY.test(sql)) return this.#read(stmt);
    await this.#begin(conn);
    try {
      const result = conn.statements.execute(stmt);
      await this.#end(conn, "commit");
      return result;
    } catch (err) {
      await this.#end(conn, "rollback");
      throw err;
    }
  }

  /**
   * A read outside a transaction. In WAL mode readers do not wait for writers; SQLITE_BUSY only happens while
   * another connection recovers the WAL after a crash. The failed statement would stay in progress, so the
   * connection is dropped and the read retried on a fresh one.
   */
  #read(stmt: InStatement): Promise<ResultSet> {
    return withLockRetry(async () => {
      const conn = await this.#connection();
      try {
        return conn.statements.execute(stmt);
      } catch (err) {
        if (isBusy(err)) this.#drop();
        throw err;
      }
    }, this.lockWaitMs);
  }

  /**
   * Runs a read at once, synchronously, when nothing is in progress on the connection: no transaction open, no
   * script running, no commit waiting for its sync. Returns undefined when something is (or the connection is not
   * open yet, or the statement is not a read, or it failed): the caller then goes the usual way, through Prisma's
   * adapter, which queues it behind that work, retries it, and reports its errors.
   *
   * This is what the adapter's queue would do for a read that finds the connection free, without its lock and its
   * turns of the event loop; libSQL runs every statement synchronously anyway. A read never sees what a commit of
   * this process wrote before that commit is on disk (#durable), as through the adapter.
   */
  readIfIdle(stmt: { sql: string; args: InValue[] }): ResultSet | undefined {
    const conn = this.#conn;
    if (this.closed || !conn || this.#inTransaction || this.#busy > 0 || !SELECT.test(stmt.sql)) return undefined;
    try {
      return conn.statements.execute(stmt);
    } catch {
      return undefined;
    }
  }

  async executeMultiple(sql: string): Promise<void> {
    if (this.#inTransaction) throw new Error("executeMultiple inside a transaction is not supported");
    const conn = await this.#connection();
    this.#busy++;
    try {
      await conn.runner.executeMultiple(sql);
      await this.#durable(conn);
    } catch (err) {
      if (isBusy(err)) this.#drop();
      throw err;
    } finally {
      this.#busy--;
    }
  }

  /** Always BEGIN IMMEDIATE, whatever `mode` the adapter asks for (it always asks for deferred). */
  async transaction(_mode?: TransactionMode): Promise<Transaction> {
    const conn = await this.#connection();
    await this.#begin(conn);
    return new OwnedTransaction(conn.statements, (how) => this.#end(conn, how));
  }

  /** The next BEGIN waits at most `ms` for the lock (what is left of a transaction's budget after queueing). */
  limitNextBegin(ms: number): void {
    this.#nextBeginWaitMs = Math.max(0, ms);
  }

  async #begin(conn: Connection): Promise<void> {
    if (this.#inTransaction) throw new Error("a transaction is already open on this connection");
    const waitMs = this.#nextBeginWaitMs ?? this.lockWaitMs;
    this.#nextBeginWaitMs = undefined;
    // One turn of the event loop between this process's transactions: without it the next one queued here
    // re-takes the lock within microseconds of the COMMIT, and another process (the CLI) polling for it starves.
    await new Promise((resolve) => setImmediate(resolve));
    await withLockRetry(async () => conn.begin.run(), waitMs);
    this.#inTransaction = true;
  }

  /**
   * Ends the transaction. A failed COMMIT leaves it open with the write lock held, so it is rolled back; when even
   * that fails the connection is dropped. Either way the lock is released before the error reaches the caller.
   */
  async #end(conn: Connection, how: "commit" | "rollback"): Promise<void> {
    if (conn !== this.#conn) return;
    try {
      if (how === "commit") conn.commit.run();
    } finally {
      try {
        if (conn.database.inTransaction) conn.rollback.run();
        this.#inTransaction = false;
      } catch {
        this.#drop();
      }
    }
    if (how === "commit") await this.#durable(conn);
  }

  /**
   * Waits until what is committed is on disk: syncs the WAL file, where a commit's pages are (WAL mode), as
   * `synchronous = FULL` would have at COMMIT, but on the thread pool. Prisma's adapter holds its mutex until the
   * commit returns, and readIfIdle declines meanwhile (#busy), so no other query of this process runs (and none
   * sees the change) before it is durable; the event loop meanwhile serves requests up to their next query. A
   * failed sync fails the commit's caller and drops the connection: whether the change survives a power loss is
   * then unknown, and the caller must not be told it was saved.
   */
  async #durable(conn: Connection): Promise<void> {
    this.#busy++;
    try {
      conn.wal ??= await this.#openWal();
      await this.syncFile(conn.wal);
    } catch (err) {
      if (conn === this.#conn) this.#drop();
      throw err;
    } finally {
      this.#busy--;
    }
  }

  /** The WAL file, opened for syncing; its folder synced once too, so the file's own entry is durable. */
  async #openWal(): Promise<fs.FileHandle> {
    const wal = await fs.open(`${this.#path}-wal`, "r");
    try {
      const folder = await fs.open(path.dirname(this.#path), "r");
      try {
        await this.syncFile(folder);
      } finally {
        await folder.close();
      }
      return wal;
    } catch (err) {
      await wal.close();
      throw err;
    }
  }

  batch(): Promise<ResultSet[]> {
    return Promise.reject(new Error("batch is not used by the Prisma adapter"));
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.#drop();
  }
}

/** A transaction on the owned connection; commit or rollback hands the connection back, released either way. */
class OwnedTransaction implements Transaction {
  closed = false;

  constructor(
    private readonly statements: SqliteStatements,
    private readonly end: (how: "commit" | "rollback") => Promise<void>,
  ) {}

  async execute(stmt: InStatement): Promise<ResultSet> {
    if (this.closed) throw new Error("The transaction is closed");
    return this.statements.execute(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const stmt of stmts) results.push(await this.execute(stmt));
    return results;
  }

  executeMultiple(): Promise<void> {
    return Promise.reject(new Error("executeMultiple inside a transaction is not supported"));
  }

  commit(): Promise<void> {
    return this.#finish("commit");
  }

  rollback(): Promise<void> {
    return this.#finish("rollback");
  }

  close(): void {
    void this.#finish("rollback");
  }

  async #finish(how: "commit" | "rollback"): Promise<void> {
    if (this.closed) {
      if (how === "commit") throw new Error("The transaction is closed");
      return;
    }
    this.closed = true;
    await this.end(how);
  }
}
