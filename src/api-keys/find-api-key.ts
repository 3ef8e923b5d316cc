import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";

/** One key the scope may manage: a 404 exactly like a missing one outside it, a 403 where it is only a member. */
export async function findApiKey(db: Db, id: string, scope: AccessScope): Promise<ApiKeyView> {
  const row = await db.apiKey.findFirst({ where: { id, ...visibleWorkspaces(scope) }, include: withKeyRelations });
  return toApiKeyView(requireManaged(scope, "API key", row));
}
