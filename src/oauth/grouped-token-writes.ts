import type { Db } from "../db/client.js";
import { inRawTransaction } from "../db/raw-transaction.js";
import { consumeStoredModels, storeModelsStatement } from "./oidc-model-queries.js";
import type { HeldUpsert } from "./token-request-writes.js";

/** One token request's writes: what it redeems and the tokens it issues for it. */
interface Queued {
  consume: { id: string; type: string };
  upserts: HeldUpsert[];
  settle(redeemed: boolean): void;
  fail(err: unknown): void;
}

/** At most this many token requests share one transaction. */
const MOST_PER_TRANSACTION = 64;

/**
 * Group commit for the token endpoint: each token request's writes (a redemption and the tokens issued for it,
 * token-request-writes.ts) wait while the previous transaction of token writes runs, then all that waited go
 * in the next one: one conditional UPDATE redeems what each of them redeems, one INSERT stores the tokens of
 * those that won, and one commit (one disk sync on SQLite) answers them all. A request is answered only after
 * the commit that holds its writes, and one that lost its redemption writes nothing, as on its own. If the
 * transaction fails, every request in it fails and none of their writes is kept.
 */
export class GroupedTokenWrites {
  private queue: Queued[] = [];
  private running = false;

  constructor(private readonly db: Db) {}

  /** Resolves once committed: true if the redemption won (its tokens are stored), false if another had it first. */
  write(consume: { id: string; type: string }, upserts: HeldUpsert[]): Promise<boolean> {
    return new Promise<boolean>((settle, fail) => {
      this.queue.push({ consume, upserts, settle, fail });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MOST_PER_TRANSACTION);
      try {
        const won = await inRawTransaction(this.db, async (tx) => {
          const consumed = await consumeStoredModels(tx, batch.map((q) => q.consume), new Date());
          // Two requests of one batch redeeming the same token: the first in line has it.
          const winners = batch.map((q) => consumed.delete(`${q.consume.id} ${q.consume.type}`));
          const rows = batch.flatMap((q, i) => (winners[i] ? q.upserts : []));
          if (rows.length > 0) await tx.run(storeModelsStatement(rows));
          return winners;
        });
        batch.forEach((q, i) => q.settle(won[i]));
      } catch (err) {
        for (const q of batch) q.fail(err);
      }
    }
    this.running = false;
  }
}
