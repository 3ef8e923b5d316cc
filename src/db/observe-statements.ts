import type { SqlDriverAdapter, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

/**
 * The adapter, telling `observe` the text of every statement it runs, in a transaction or not (benchmarks count
 * them; BEGIN and COMMIT are not statements here). Statements the client runs through its adapter, whether from
 * Prisma's query builder, `$queryRaw` or read-rows.ts, are all seen, unlike Prisma's query event.
 */
export function observeStatements(adapter: SqlDriverAdapter, observe: (sql: string) => void): SqlDriverAdapter {
  const seen = passingTo(observe);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(seen(query)),
    executeRaw: (query) => adapter.executeRaw(seen(query)),
    executeScript: (script) => adapter.executeScript(script),
    getConnectionInfo: adapter.getConnectionInfo && (() => adapter.getConnectionInfo!()),
    dispose: () => adapter.dispose(),
    startTransaction: async (isolationLevel) => observeTransaction(await adapter.startTransaction(isolationLevel), observe),
  };
}

/** The transaction, telling `observe` the text of every statement run in it. */
export function observeTransaction(tx: Transaction, observe: (sql: string) => void): Transaction {
  const seen = passingTo(observe);
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (query) => tx.queryRaw(seen(query)),
    executeRaw: (query) => tx.executeRaw(seen(query)),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
  };
}

/** A pass-through for queries that tells `observe` each one's text on the way. */
function passingTo(observe: (sql: string) => void): (query: SqlQuery) => SqlQuery {
  return (query) => {
    observe(query.sql);
    return query;
  };
}
