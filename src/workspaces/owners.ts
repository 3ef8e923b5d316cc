import type { Db } from "../db/client.js";
import { ConflictError } from "../errors/app-error.js";

/**
 * Locks a workspace's owner memberships and returns how many there are. The rows are rewritten unchanged:
 * that takes their row locks on PostgreSQL and the write lock on SQLite, so two concurrent demotions or
 * removals cannot each see "another owner remains" and leave the workspace with none. Call it first in
 * the transaction, before reading the membership to change.
 */
export async function lockOwners(tx: Pick<Db, "membership">, workspaceId: string): Promise<number> {
  const { count } = await tx.membership.updateMany({
    where: { workspaceId, role: "owner" },
    data: { role: "owner" },
  });
  return count;
}

/** Refuses (`last_owner`) to take ownership away from a workspace's only owner. */
export function refuseLastOwner(ownerCount: number, currentRole: string): void {
  if (currentRole === "owner" && ownerCount <= 1) {
    throw new ConflictError("last_owner", "A workspace must keep at least one owner: make someone else owner first.");
  }
}
