import type { AuthorizedApp, OAuthClient, Workspace } from "../generated/sqlite/client.js";
import type { RevokedBy } from "./deps.js";

export type AuthorizedAppStatus = "active" | "revoked";

/** One (app, workspace) authorization as people and scripts see it. */
export interface AuthorizedAppView {
  id: string;
  client_id: string;
  app_name: string;
  workspace_id: string;
  workspace_name: string;
  scopes: string[];
  authorized_at: string;
  last_used_at: string | null;
  status: AuthorizedAppStatus;
  revoked_at: string | null;
  revoked_by: RevokedBy | null;
}

export type AuthorizedAppRow = AuthorizedApp & { client: OAuthClient; workspace: Workspace };

export const withAppRelations = { client: true, workspace: true } as const;

/** Maps a row to its view. */
export function toAuthorizedAppView(row: AuthorizedAppRow): AuthorizedAppView {
  return {
    id: row.id,
    client_id: row.clientId,
    app_name: row.client.name,
    workspace_id: row.workspaceId,
    workspace_name: row.workspace.name,
    scopes: row.scopes.split(" ").filter(Boolean),
    authorized_at: row.authorizedAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    status: row.status as AuthorizedAppStatus,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    revoked_by: (row.revokedBy as RevokedBy | null) ?? null,
  };
}
