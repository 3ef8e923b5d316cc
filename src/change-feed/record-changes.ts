import type { Db } from "../db/client.js";
import type { Prisma } from "../generated/sqlite/client.js";
import type { ChangeFeed, ChangeKind } from "./change-feed.js";

/** What a use case that changes credentials needs: the database and this process's change feed. */
export interface ChangeDeps {
  db: Db;
  feed: ChangeFeed;
}

export type Tx = Prisma.TransactionClient;

/** "Record this change": writes it to the change log inside the transaction, to be delivered after commit. */
export type RecordChange = (kind: ChangeKind, targetId: string) => Promise<void>;

/**
 * Runs `work` in one transaction. Each change it records is written to the change log in that transaction
 * (so other processes read it exactly when the change commits) and, once the transaction has committed,
 * applied to this process and announced (ChangeFeed.emit). A transaction that throws delivers nothing.
 */
export async function withChanges<T>(deps: ChangeDeps, work: (tx: Tx, recordChange: RecordChange) => Promise<T>): Promise<T> {
  let changes: [ChangeKind, string][] = [];
  const result = await deps.db.$transaction(async (tx) => {
    // A transaction that is run again starts with a clean list.
    changes = [];
    return work(tx, async (kind, targetId) => {
      await tx.credentialEvent.create({ data: { kind, targetId } });
      changes.push([kind, targetId]);
    });
  });
  for (const [kind, targetId] of changes) deps.feed.emit(kind, targetId);
  return result;
}
