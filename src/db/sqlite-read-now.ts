import type { InValue, ResultSet } from "@libsql/client";
import { ColumnTypeEnum, type ColumnType, type SqlQuery, type SqlResultSet } from "@prisma/driver-adapter-utils";

/*
 * A read that OwnedSqliteClient runs at once on an idle connection (readIfIdle) goes in and out in exactly the form
 * Prisma's libSQL adapter would give it, so that readRows returns the same values whichever way a read went. These
 * are the adapter's own rules for SQLite (@prisma/adapter-libsql 6.19: how it binds arguments, how it types columns
 * and maps values); test/integration/db/sqlite-read-now.test.ts compares the two on generated rows.
 */

/** The arguments of a driver query (readRows' `driverQuery`) as the adapter binds them on SQLite; undefined for a kind it does not make. */
export function sqliteArgs(query: SqlQuery): InValue[] | undefined {
  const args: InValue[] = new Array<InValue>(query.args.length);
  for (let i = 0; i < query.args.length; i++) {
    const arg = query.args[i];
    const type = query.argTypes[i];
    if (arg === null) args[i] = null;
    else if (type.arity !== "scalar") return undefined;
    else if (type.scalarType === "datetime" && typeof arg === "string") args[i] = new Date(arg).toISOString().replace("Z", "+00:00");
    else if (type.scalarType === "bigint" && typeof arg === "string") args[i] = BigInt(arg);
    else if (typeof arg === "string" || typeof arg === "number" || typeof arg === "boolean") args[i] = arg;
    else return undefined;
  }
  return args;
}

/** libSQL's result as the adapter hands it to Prisma: each column typed by its declared type, or by its first value. */
export function driverResult(result: ResultSet): SqlResultSet {
  const rows = result.rows as unknown as unknown[][];
  const columnTypes = result.columnTypes.map((declared, column) => declaredType(declared) ?? typeOfFirstValue(rows, column));
  const mapped = new Array<unknown[]>(rows.length);
  for (let r = 0; r < rows.length; r++) mapped[r] = mapRow(rows[r], columnTypes);
  return { columnNames: result.columns, columnTypes, rows: mapped };
}

/** The column type the adapter gives each declared type it knows; any other declared type is typed by its values. */
const DECLARED_TYPES = new Map<string, ColumnType>(Object.entries({
  DECIMAL: ColumnTypeEnum.Numeric,
  FLOAT: ColumnTypeEnum.Float,
  ...sameType(ColumnTypeEnum.Double, "DOUBLE", "DOUBLE PRECISION", "NUMERIC", "REAL"),
  ...sameType(ColumnTypeEnum.Int32, "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "SERIAL", "INT2"),
  ...sameType(ColumnTypeEnum.Int64, "BIGINT", "UNSIGNED BIG INT", "INT8"),
  ...sameType(ColumnTypeEnum.DateTime, "DATETIME", "TIMESTAMP"),
  TIME: ColumnTypeEnum.Time,
  DATE: ColumnTypeEnum.Date,
  ...sameType(ColumnTypeEnum.Text, "TEXT", "CLOB", "CHARACTER", "VARCHAR", "VARYING CHARACTER", "NCHAR", "NATIVE CHARACTER", "NVARCHAR"),
  BLOB: ColumnTypeEnum.Bytes,
  BOOLEAN: ColumnTypeEnum.Boolean,
  JSONB: ColumnTypeEnum.Json,
}));

function sameType(type: ColumnType, ...names: string[]): Record<string, ColumnType> {
  return Object.fromEntries(names.map((name) => [name, type]));
}

function declaredType(declared: string): ColumnType | null {
  return DECLARED_TYPES.get(declared.toUpperCase()) ?? null;
}

/** A column without a declared type (an expression) is typed by its first value that is not null; all null: Int32. */
function typeOfFirstValue(rows: unknown[][], column: number): ColumnType {
  for (const row of rows) {
    const value = row[column];
    if (value === null) continue;
    if (typeof value === "string") return ColumnTypeEnum.Text;
    if (typeof value === "bigint") return ColumnTypeEnum.Int64;
    if (typeof value === "boolean") return ColumnTypeEnum.Boolean;
    if (typeof value === "number") return ColumnTypeEnum.UnknownNumber;
    if (value instanceof ArrayBuffer) return ColumnTypeEnum.Bytes;
    throw new TypeError(`unexpected value of type ${typeof value}`);
  }
  return ColumnTypeEnum.Int32;
}

function mapRow(row: unknown[], columnTypes: ColumnType[]): unknown[] {
  const result = new Array<unknown>(row.length);
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    const type = columnTypes[i];
    if (value instanceof ArrayBuffer) result[i] = Array.from(new Uint8Array(value));
    else if (typeof value === "number" && (type === ColumnTypeEnum.Int32 || type === ColumnTypeEnum.Int64) && !Number.isInteger(value)) result[i] = Math.trunc(value);
    else if ((typeof value === "number" || typeof value === "bigint") && type === ColumnTypeEnum.DateTime) result[i] = new Date(Number(value)).toISOString();
    else if (typeof value === "bigint") result[i] = value.toString();
    else result[i] = value;
  }
  return result;
}
