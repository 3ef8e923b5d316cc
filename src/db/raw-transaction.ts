import type { Db } from "./client.js";
import type { Prisma } from "../generated/sqlite/client.js";
import { adapterUnder, driverQuery, rowsOf } from "./read-rows.js";

/** The statements a raw transaction runs: rows of a read or of `… RETURNING`, or how many rows a write changed. */
export interface RawTransaction {
  rows<T>(query: Prisma.Sql): Promise<T[]>;
  run(query: Prisma.Sql): Promise<number>;
}

/**
 * Runs `work` in one transaction of tagged, parameterised statements on the driver adapter under `db` (the one
 * Prisma runs its own transactions on: the same connection or pool, transaction queue, lock wait and, on SQLite,
 * the same commit that waits for the disk), as `db.$transaction` with `$queryRaw` would, without Prisma's
 * interactive-transaction machinery around each statement (the query compiler's round trip, the transaction
 * registry and its timers), which cost more than the statements of the token endpoint's grouped write.
 * Committed when `work` resolves, rolled back when it throws. A client not made by createDb uses `$transaction`.
 */
export async function inRawTransaction<T>(db: Db, work: (tx: RawTransaction) => Promise<T>): Promise<T> {
  const adapter = adapterUnder(db);
  if (!adapter) {
    return db.$transaction((tx) => work({ rows: <R>(q: Prisma.Sql) => tx.$queryRaw<R[]>(q), run: (q) => tx.$executeRaw(q) }));
  }
  const tx = await adapter.startTransaction();
  // Adapters whose transaction is not a "phantom" one (pg) expect the caller to send COMMIT and ROLLBACK itself,
  // as Prisma's own transaction manager does, before handing the connection back with commit() / rollback().
  const control = (sql: "COMMIT" | "ROLLBACK") => (tx.options.usePhantomQuery ? Promise.resolve(0) : tx.executeRaw({ sql, args: [], argTypes: [] }));
  let result: T;
  try {
    result = await work({
      rows: async <R>(q: Prisma.Sql) => rowsOf<R>(await tx.queryRaw(driverQuery(tx, q))),
      run: (q) => tx.executeRaw(driverQuery(tx, q)),
    });
  } catch (err) {
    // The original failure is what the caller needs; a ROLLBACK that fails too (a lost connection) adds nothing.
    await control("ROLLBACK").catch(() => undefined);
    await tx.rollback();
    throw err;
  }
  try {
    await control("COMMIT");
  } catch (err) {
    // The COMMIT failed: what it held is gone; hand the connection back as rolled back.
    await tx.rollback();
    throw err;
  }
  await tx.commit();
  return result;
}
