import type { ApiKey, User, Workspace } from "../generated/sqlite/client.js";

export type ApiKeyAccess = "read_only" | "read_write";
export type ApiKeyStatus = "active" | "revoked" | "expired";

/** How a key is shown to people and scripts. Never contains the secret or its digest. */
export interface ApiKeyView {
  id: string;
  name: string;
  workspace_id: string;
  workspace_name: string;
  access: ApiKeyAccess;
  owner: { id: string; email: string } | null;
  prefix: string;
  status: ApiKeyStatus;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  rotated_at: string | null;
  revoked_at: string | null;
  /** `reported_leaked` or `found_public` when a leak report revoked it; null otherwise. */
  revoked_reason: "reported_leaked" | "found_public" | null;
  /** Where a secret scanner found it (found_public). */
  revoked_url: string | null;
  /** The address that reported it leaked (reported_leaked). */
  revoked_reporter: string | null;
}

export type ApiKeyRow = ApiKey & { workspace: Workspace; createdBy: User | null };

/** A key past its expiry is expired even before the sweeper has written it down. */
export function effectiveStatus(key: Pick<ApiKey, "status" | "expiresAt">, now = new Date()): ApiKeyStatus {
  if (key.status === "active" && key.expiresAt && key.expiresAt <= now) return "expired";
  return key.status as ApiKeyStatus;
}

export function toApiKeyView(key: ApiKeyRow): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    workspace_id: key.workspaceId,
    workspace_name: key.workspace.name,
    access: key.access as ApiKeyAccess,
    owner: key.createdBy ? { id: key.createdBy.id, email: key.createdBy.email } : null,
    prefix: key.prefix,
    status: effectiveStatus(key),
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
    rotated_at: key.rotatedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    revoked_reason: (key.revokedReason as ApiKeyView["revoked_reason"]) ?? null,
    revoked_url: key.revokedUrl ?? null,
    revoked_reporter: key.revokedReporter ?? null,
  };
}

export const withKeyRelations = { workspace: true, createdBy: true } as const;
