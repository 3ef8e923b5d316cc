import type { AuthorizedApp, OAuthClient, Workspace } from "../generated/sqlite/client.js";
import type { RevokedBy, RevokedReason } from "./deps.js";

export type AuthorizedAppStatus = "active" | "revoked";

/** One (app, workspace) authorization as people and scripts see it. */
export interface AuthorizedAppView {
  id: string;
  client_id: string;
  app_name: string;
  workspace_id: string;
  workspace_name: string;
  /** The union of the scopes of every live grant: everything a token of this app can still do here. */
  scopes: string[];
  authorized_at: string;
  last_used_at: string | null;
  /** Client address and user agent of the last use (recorded at most once a minute, like last_used_at). */
  last_used_ip: string | null;
  last_used_user_agent: string | null;
  status: AuthorizedAppStatus;
  revoked_at: string | null;
  revoked_by: RevokedBy | null;
  /** The person who revoked it (Settings, /api), else null. */
  revoked_by_user_id: string | null;
  /** Who revoked it, for people: the person's email, "command line", or the app's name; null for the system. */
  revoked_by_name: string | null;
  /** Why the system revoked it: code_replay, refresh_token_reuse, sign_out, client_deleted; else null. */
  revoked_reason: RevokedReason | null;
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
    last_used_ip: row.lastUsedIp ?? null,
    last_used_user_agent: row.lastUsedUserAgent ?? null,
    status: row.status as AuthorizedAppStatus,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    revoked_by: (row.revokedBy as RevokedBy | null) ?? null,
    revoked_by_user_id: row.revokedByUserId ?? null,
    revoked_by_name: row.revokedByName ?? null,
    revoked_reason: (row.revokedReason as RevokedReason | null) ?? null,
  };
}
