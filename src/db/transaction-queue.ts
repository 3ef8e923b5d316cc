import type { SqlDriverAdapter, Transaction } from "@prisma/driver-adapter-utils";
import { DatabaseBusyError } from "./sqlite-lock-wait.js";

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

/**
 * Lets one transaction (or write) at a time into the adapter, in arrival order, and gives up on a waiter after `waitMs`
 * (DatabaseBusyError, 503). Prisma's own `maxWait` cannot bound the wait: it only checks the clock once the
 * adapter has started the transaction, so under load every late request still queued for the lock, began, and
 * rolled back, and the queue only grew.
 */
class TransactionQueue {
  #running = false;
  #waiters: Waiter[] = [];

  constructor(private readonly waitMs: number) {}

  /** Resolves with `release` once it is this caller's turn; rejects after waitMs in the queue. */
  acquire(): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.#next();
      };
      if (!this.#running) {
        this.#running = true;
        resolve(release);
        return;
      }
      const waiter: Waiter = {
        start: () => resolve(release),
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new DatabaseBusyError());
        }, this.waitMs),
      };
      this.#waiters.push(waiter);
    });
  }

  #next(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) {
      this.#running = false;
      return;
    }
    clearTimeout(waiter.timer);
    waiter.start();
  }
}

/** Statements that only read: they never wait for the write lock, so they need no turn. */
const READ_ONLY = /^\s*(SELECT|PRAGMA|EXPLAIN)\b/i;
const isWrite = (sql: string) => !READ_ONLY.test(sql);

/**
 * The adapter with its transactions (and its writes outside transactions) admitted through a TransactionQueue of `waitMs`; `beforeStart` learns how much
 * of that wait is left for the database lock itself. Everything else passes through untouched.
 */
export function queueTransactions(
  adapter: SqlDriverAdapter,
  waitMs: number,
  beforeStart: (remainingMs: number) => void,
): SqlDriverAdapter {
  const queue = new TransactionQueue(waitMs);
  /** Runs `work` once it is this caller's turn, with what is left of the budget for the lock itself. */
  async function inTurn<T>(work: () => Promise<T>): Promise<T> {
    const queued = Date.now();
    const release = await queue.acquire();
    try {
      beforeStart(waitMs - (Date.now() - queued));
      return await work();
    } finally {
      release();
    }
  }
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    // A write outside a transaction takes the same turn as a transaction. Otherwise it waits for the write lock
    // while holding the adapter's own mutex, and every transaction this queue has already admitted waits behind it
    // on top of its own budget (a request then took two budgets, about 3 s).
    queryRaw: (query) => (isWrite(query.sql) ? inTurn(() => adapter.queryRaw(query)) : adapter.queryRaw(query)),
    executeRaw: (query) => (isWrite(query.sql) ? inTurn(() => adapter.executeRaw(query)) : adapter.executeRaw(query)),
    executeScript: (script) => adapter.executeScript(script),
    getConnectionInfo: adapter.getConnectionInfo && (() => adapter.getConnectionInfo!()),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      const queued = Date.now();
      const release = await queue.acquire();
      try {
        beforeStart(waitMs - (Date.now() - queued));
        const tx = await adapter.startTransaction(isolationLevel);
        const end = (finish: () => Promise<void>) => () => finish().finally(release);
        const queuedTx: Transaction = {
          provider: tx.provider,
          adapterName: tx.adapterName,
          options: tx.options,
          queryRaw: (query) => tx.queryRaw(query),
          executeRaw: (query) => tx.executeRaw(query),
          commit: end(() => tx.commit()),
          rollback: end(() => tx.rollback()),
        };
        return queuedTx;
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
