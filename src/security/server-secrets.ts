import type { Db } from "../db/client.js";

/**
 * Returns the secret stored under `id`, creating it with `generate` if absent. Insert-if-absent with a
 * re-read means nodes starting together all end up with the first value written.
 */
export async function getOrCreateSecret(db: Db, id: string, generate: () => string | Promise<string>): Promise<string> {
  const existing = await db.serverSecret.findUnique({ where: { id } });
  if (existing) return existing.value;
  const value = await generate();
  try {
    await db.serverSecret.create({ data: { id, value } });
  } catch {
    // Another node inserted first: its value wins.
  }
  const stored = await db.serverSecret.findUniqueOrThrow({ where: { id } });
  return stored.value;
}
