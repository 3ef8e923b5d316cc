import { type ApiKeyView, toApiKeyView, withKeyRelations } from "../api-keys/api-key-view.js";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";

/** One key of the given workspaces, or a 404 exactly like a missing one. */
export async function findApiKey(db: Db, id: string, workspaceIds: string[]): Promise<ApiKeyView> {
  const row = await db.apiKey.findFirst({ where: { id, workspaceId: { in: workspaceIds } }, include: withKeyRelations });
  if (!row) throw new NotFoundError("API key");
  return toApiKeyView(row);
}
