import type { Db } from "../../db/client.js";
import { normalizeTagName } from "./schemas.js";

/**
 * Returns the ids of the workspace's tags with these names, creating the missing ones. Names differing only in case
 * are one tag, and an existing tag keeps the spelling it was created with. Run it inside the caller's transaction.
 */
export async function ensureTags(tx: Pick<Db, "tag">, workspaceId: string, names: string[]): Promise<string[]> {
  const wanted = new Map<string, string>();
  for (const name of names) {
    const normalized = normalizeTagName(name);
    if (!wanted.has(normalized)) wanted.set(normalized, name);
  }
  if (wanted.size === 0) return [];

  const existing = await tx.tag.findMany({
    where: { workspaceId, nameNormalized: { in: [...wanted.keys()] } },
    select: { id: true, nameNormalized: true },
  });
  const ids = existing.map((tag) => tag.id);
  for (const tag of existing) wanted.delete(tag.nameNormalized);

  for (const [nameNormalized, name] of wanted) {
    // An upsert whose update is a no-op becomes INSERT … ON CONFLICT, so a tag created by a concurrent
    // request in between is reused instead of failing the whole transaction.
    const tag = await tx.tag.upsert({
      where: { workspaceId_nameNormalized: { workspaceId, nameNormalized } },
      create: { workspaceId, name, nameNormalized },
      update: { nameNormalized },
      select: { id: true },
    });
    ids.push(tag.id);
  }
  return ids;
}
