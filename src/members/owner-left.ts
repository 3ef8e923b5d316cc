import type { Db } from "../db/client.js";

/**
 * The keys among these whose owner is no longer a member of the key's workspace ("owner left" on the API Keys
 * page): an admin kept them when the person was removed, and they can be reassigned. Keys without an owner
 * (made by the command line) are not among them.
 */
export async function keysWhoseOwnerLeft(db: Db, keys: { id: string; workspace_id: string; owner: { id: string } | null }[]): Promise<Set<string>> {
  const owned = keys.filter((k) => k.owner !== null);
  if (owned.length === 0) return new Set();
  const memberships = await db.membership.findMany({
    where: { userId: { in: [...new Set(owned.map((k) => k.owner?.id ?? ""))] }, workspaceId: { in: [...new Set(owned.map((k) => k.workspace_id))] } },
    select: { userId: true, workspaceId: true },
  });
  const present = new Set(memberships.map((m) => `${m.workspaceId}|${m.userId}`));
  return new Set(owned.filter((k) => !present.has(`${k.workspace_id}|${k.owner?.id}`)).map((k) => k.id));
}
