import { type AccessScope, administeredWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";

export interface ListApiKeysQuery {
  /** Lists what this scope manages (narrow it to one workspace with workspaceScope([id])). */
  scope: AccessScope;
  /** Matches name, owner email, workspace name or display prefix, case-insensitively. */
  search?: string;
}

/** Lists keys of the given workspaces, newest first, without secrets. */
export async function listApiKeys(db: Db, query: ListApiKeysQuery): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({
    where: administeredWorkspaces(query.scope),
    include: withKeyRelations,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const views = rows.map((row) => toApiKeyView(row));
  const needle = query.search?.trim().toLowerCase();
  if (!needle) return views;
  // Filtered here rather than in SQL: case-insensitive LIKE differs between SQLite and PostgreSQL.
  return views.filter((k) =>
    [k.name, k.owner?.email ?? "", k.workspace_name, k.prefix].some((field) => field.toLowerCase().includes(needle)),
  );
}
