import { type ArgType, ColumnTypeEnum, type SqlDriverAdapter, type SqlQuery, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";
import type { Prisma } from "../generated/sqlite/client.js";
import type { Db } from "./client.js";

/** The driver adapter under each client createDb made (the one Prisma itself runs every query through). */
const adapters = new WeakMap<object, () => SqlDriverAdapter | undefined>();

/** Called by createDb: reads on `db` may go straight to its driver adapter (`connected` is undefined until Prisma connects). */
export function readThroughAdapter(db: object, connected: () => SqlDriverAdapter | undefined): void {
  adapters.set(db, connected);
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
 * Clients not made by createDb (transaction clients, test clients) run it through `$queryRaw`.
 */
export async function readRows<T>(db: Db | Prisma.TransactionClient, query: Prisma.Sql, options: ReadOptions = {}): Promise<T[]> {
  const adapter = adapterUnder(db);
  if (!adapter) {
    const rows = await (db as Db).$queryRaw<Record<string, unknown>[]>(query);
    if (options.dates === "iso") for (const row of rows) for (const k in row) if (row[k] instanceof Date) row[k] = row[k].toISOString();
    return rows as T[];
  }
  return rowsOf<T>(await adapter.queryRaw(driverQuery(adapter, query)), options);
}

export interface ReadOptions {
  /**
   * "iso": date-times come back as `Date#toISOString()` text instead of Date objects, for a view that shows them
   * as such (a page of twenty subscribers spent as long turning its forty date-times into Dates and back to text
   * as reading the rows).
   */
  dates?: "iso";
}

/** The driver adapter under a client createDb made, once Prisma has connected it; otherwise undefined. */
export function adapterUnder(db: object): SqlDriverAdapter | undefined {
  return adapters.get(db)?.();
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
export function rowsOf<T>(result: SqlResultSet, options: ReadOptions = {}): T[] {
  const { columnNames, columnTypes } = result;
  const convert = options.dates === "iso" ? fromDriverIso : fromDriver;
  const rows: T[] = new Array<T>(result.rows.length);
  for (let r = 0; r < result.rows.length; r++) {
    const values = result.rows[r];
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) row[columnNames[i]] = convert(values[i], columnTypes[i]);
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

/** As fromDriver, with date-times as ISO text. */
function fromDriverIso(value: unknown, type: number): unknown {
  if (value !== null && (type === ColumnTypeEnum.DateTime || type === ColumnTypeEnum.Date)) return isoDateTime(value as string);
  return fromDriver(value, type);
}

/**
 * How both adapters hand a millisecond date-time to Prisma: `2026-12-02T03:31:15.357+00:00` (the form Prisma's
 * libSQL adapter writes, and pg's adapter normalises `timestamp(3)` to when it has all three digits).
 */
const UTC_MILLIS = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}\+00:00$/;

/** `new Date(text).toISOString()`, without the Date for the form both adapters give (anything else goes through one). */
export function isoDateTime(text: string): string {
  return UTC_MILLIS.test(text) ? `${text.slice(0, 23)}Z` : new Date(text).toISOString();
}
