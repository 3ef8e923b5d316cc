import type { Db } from "../db/client.js";
import { enqueuedWithin } from "../webhook-outbox/outbox-wake.js";

/**
 * Calls `wake` right after each interactive transaction that wrote to the webhook outbox commits, so this
 * process's delivery worker sends the event at once rather than at its next poll. Prisma has no commit hook, so
 * the client's `$transaction` is wrapped (one place, at start-up); the outbox writer marks the transaction client
 * it wrote through (webhook-outbox/outbox-wake.ts). Waking before the commit would find nothing to claim.
 */
export function wakeAfterCommit(db: Db, wake: () => void): void {
  const run = db.$transaction.bind(db) as (arg: unknown, options?: unknown) => Promise<unknown>;
  const wrapped = async (arg: unknown, options?: unknown): Promise<unknown> => {
    if (typeof arg !== "function") return run(arg, options);
    const work = arg as (tx: object) => Promise<unknown>;
    let lastTx: object | undefined;
    const result = await run((tx: object) => {
      lastTx = tx;
      return work(tx);
    }, options);
    if (lastTx && enqueuedWithin(lastTx)) wake();
    return result;
  };
  db.$transaction = wrapped as Db["$transaction"];
}
