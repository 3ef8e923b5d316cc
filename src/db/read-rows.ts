import { type ArgType, ColumnTypeEnum, type SqlDriverAdapter, type SqlQuery, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";
import type { Prisma } from "../generated/sqlite/client.js";
import type { DatabaseKind, Db } from "./client.js";
import { prepareOnPostgres } from "./prepared-statements.js";

/** A read run at once, outside the adapter's queue, when the database allows it now; otherwise undefined. */
export type ReadNow = (query: SqlQuery) => SqlResultSet | undefined;

/**
 * The driver adapter under each client createDb made (the one Prisma itself runs every query through), and on
 * SQLite the way to run a read at once while the connection is idle.
 */
const adapters = new WeakMap<object, { connected: () => SqlDriverAdapter | undefined; readNow?: ReadNow }>();

/** Called by createDb: reads on `db` may go straight to its driver adapter (`connected` is undefined until Prisma connects). */
export function readThroughAdapter(db: object, connected: () => SqlDriverAdapter | undefined, readNow?: ReadNow): void {
  adapters.set(db, { connected, readNow });
}

/**
 * Runs a tagged, parameterised read (`Prisma.sql\`…\``) and returns its rows as objects, as `db.$queryRaw` would
 * (the same values: strings, numbers, Date for date-times, BigInt for 64-bit integers), for the requests served
 * most: a key check on a cache miss, a page of subscribers or tags, the token endpoint's reads.
 *
 * It hands the statement to the driver adapter under `db` — Prisma's own, on the same connection or pool, behind
 * the same lock and transaction queue as every other query of the client, with the same driver errors — and
 * leaves out what `$queryRaw` adds around it: the request's JSON round trip through Prisma's query compiler
 * (WebAssembly) and the typed result mapping. Measured on a twenty-row page, that was two thirds of the read.
 * On SQLite a read that finds the one connection idle (no transaction open, no commit waiting for its sync) runs
 * at once instead, in the adapter's own form (sqlite-read-now.ts), since waiting in the adapter's queue would
 * change nothing it sees. Clients not made by createDb (transaction clients, test clients) use `$queryRaw`.
 */
export async function readRows<T>(db: Db | Prisma.TransactionClient, query: Prisma.Sql): Promise<T[]> {
  const under = adapters.get(db);
  const adapter = under?.connected();
  if (!under || !adapter) return (db as Db).$queryRaw<T[]>(query);
  const statement = handWritten(adapter, query);
  // On SQLite a read that finds the connection idle runs now, without the adapter's lock and its turns of the
  // event loop: 62 µs (9 %) of a page of subscribers' CPU under load, in an A/B run.
  const now = under.readNow?.(statement);
  return rowsOf<T>(now ?? (await adapter.queryRaw(statement)));
}

/**
 * A hand-written statement (readRows, executeStatement) as the adapter takes it. Each caller's text is fixed (or
 * one of a few), so on PostgreSQL it is kept prepared: parsed and planned once per connection.
 */
export function handWritten(adapter: SqlDriverAdapter, query: Prisma.Sql): SqlQuery {
  const statement = driverQuery(adapter, query);
  if (adapter.provider === "postgres") prepareOnPostgres(statement.sql);
  return statement;
}

/**
 * Runs a read whose one row has one column of JSON text, an aggregate such as SQLite's `json_group_array` or
 * PostgreSQL's `json_agg(…)::text` (`statementFor` writes it for the database at hand, as their JSON functions
 * differ), and returns it parsed, or null when the database gave NULL (`json_agg` of no rows).
 *
 * For a page of rows that is one value for the driver to hand over instead of one per row and column: libSQL
 * builds every value it returns through N-API, which on a page of twenty-one subscribers was most of the read
 * (150–167 µs as rows, 84–103 µs as one JSON text, parse included, in the same runs), and Prisma's adapter then
 * maps each value again.
 */
export async function readJson<T>(db: Db | Prisma.TransactionClient, statementFor: (database: DatabaseKind) => Prisma.Sql): Promise<T | null> {
  const [row] = await readRows<Record<string, unknown>>(db, statementFor(onPostgres(db) ? "postgres" : "sqlite"));
  const text = row === undefined ? null : Object.values(row)[0];
  if (text === null) return null;
  if (typeof text !== "string") throw new TypeError("readJson expects one column of JSON text");
  return JSON.parse(text) as T;
}

/** Whether `db` is on PostgreSQL: its adapter's provider, or (for a client createDb did not make) Prisma's. */
function onPostgres(db: object): boolean {
  const adapter = adapterUnder(db);
  return adapter ? adapter.provider === "postgres" : (db as { _activeProvider?: string })._activeProvider === "postgresql";
}

/** The driver adapter under a client createDb made, once Prisma has connected it; otherwise undefined. */
export function adapterUnder(db: object): SqlDriverAdapter | undefined {
  return adapters.get(db)?.connected();
}

/** A tagged statement as the driver adapter takes it: the database's placeholders, values bound as Prisma binds them. */
export function driverQuery(adapter: SqlQueryable, query: Prisma.Sql): SqlQuery {
  const args: unknown[] = [];
  const argTypes: ArgType[] = [];
  for (const value of query.values) {
    const [arg, scalarType] = bindable(value);
    args.push(arg);
    argTypes.push({ arity: "scalar", scalarType });
  }
  return { sql: adapter.provider === "postgres" ? query.text : query.sql, args, argTypes };
}

/** A driver result as `$queryRaw` returns it: one object per row, keyed by column name. */
export function rowsOf<T>(result: SqlResultSet): T[] {
  const { columnNames, columnTypes } = result;
  const rows: T[] = new Array<T>(result.rows.length);
  for (let r = 0; r < result.rows.length; r++) {
    const values = result.rows[r];
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) row[columnNames[i]] = fromDriver(values[i], columnTypes[i]);
    rows[r] = row as T;
  }
  return rows;
}

/** A parameter as Prisma serialises it for a raw query (Date and BigInt as text with their type). */
function bindable(value: unknown): [unknown, ArgType["scalarType"]] {
  if (value === null || value === undefined) return [null, "unknown"];
  switch (typeof value) {
    case "string":
      return [value, "string"];
    case "number":
      return [value, Number.isInteger(value) ? "int" : "float"];
    case "boolean":
      return [value, "boolean"];
    case "bigint":
      return [value.toString(), "bigint"];
  }
  if (value instanceof Date) return [value.toISOString(), "datetime"];
  throw new TypeError("readRows binds strings, numbers, booleans, BigInt, Date and null only");
}

/** A value as `$queryRaw` returns it for its column type. */
function fromDriver(value: unknown, type: number): unknown {
  if (value === null) return null;
  switch (type) {
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return new Date(value as string);
    case ColumnTypeEnum.Int64:
      return BigInt(value as string);
    default:
      return value;
  }
}

/**
 * A millisecond UTC date-time as both adapters hand it to Prisma, `2026-12-02T03:31:15.357+00:00` (the form
 * Prisma's libSQL adapter writes, and pg's adapter normalises `timestamp(3)` to when it has all three digits),
 * or already as ISO text, `2026-12-02T03:31:15.357Z`.
 */
const UTC_MILLIS = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}(\+00:00|Z)$/;

/**
 * `new Date(value).toISOString()`, without the Date for the forms above (anything else goes through one; a number
 * is milliseconds since the epoch, as SQLite holds date-times written without Prisma's adapter).
 */
export function isoDateTime(value: string | number): string {
  return typeof value === "string" && UTC_MILLIS.test(value) ? `${value.slice(0, 23)}Z` : new Date(value).toISOString();
}
