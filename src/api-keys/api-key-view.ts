import type { ApiKey, User, Workspace } from "../generated/sqlite/client.js";
import { accessOf, type ApiKeyAccess, scopesOfKey } from "./key-scopes.js";

export type { ApiKeyAccess } from "./key-scopes.js";
export type ApiKeyStatus = "active" | "revoked" | "expired";

/** How a key is shown to people and scripts. Never contains the secret or its digest. */
export interface ApiKeyView {
  id: string;
  name: string;
  workspace_id: string;
  workspace_name: string;
  /** `read_only` / `read_write` when `scopes` are exactly a preset's, else `custom`. */
  access: ApiKeyAccess;
  /** The /v1 scopes the key carries. */
  scopes: string[];
  /** Addresses and CIDR ranges the key may be used from; empty: any address. */
  ip_allowlist: string[];
  owner: { id: string; email: string } | null;
  prefix: string;
  status: ApiKeyStatus;
  created_at: string;
  last_used_at: string | null;
  /** Client address and user agent of the last use (recorded at most once a minute, like last_used_at). */
  last_used_ip: string | null;
  last_used_user_agent: string | null;
  expires_at: string | null;
  /** Active and expiring within EXPIRING_SOON_DAYS. */
  expiring_soon: boolean;
  rotated_at: string | null;
  /** While a rotation's overlap lasts, when the previous secret stops working; else null. */
  previous_secret_expires_at: string | null;
  revoked_at: string | null;
  /** `reported_leaked` or `found_public` when a leak report revoked it; null otherwise. */
  revoked_reason: "reported_leaked" | "found_public" | null;
  /** Where a secret scanner found it (found_public). */
  revoked_url: string | null;
  /** The address that reported it leaked (reported_leaked). */
  revoked_reporter: string | null;
}

/** A key expiring within this many days is flagged in lists and announced once in the Activity log. */
export const EXPIRING_SOON_DAYS = 7;
const EXPIRING_SOON_MS = EXPIRING_SOON_DAYS * 86_400_000;

export type ApiKeyRow = ApiKey & { workspace: Workspace; createdBy: User | null };

/** A key past its expiry is expired even before the sweeper has written it down. */
export function effectiveStatus(key: Pick<ApiKey, "status" | "expiresAt">, now = new Date()): ApiKeyStatus {
  if (key.status === "active" && key.expiresAt && key.expiresAt <= now) return "expired";
  return key.status as ApiKeyStatus;
}

export function toApiKeyView(key: ApiKeyRow, now = new Date()): ApiKeyView {
  const scopes = scopesOfKey(key);
  const status = effectiveStatus(key, now);
  const previousLive = status === "active" && key.previousDigest !== null && key.previousExpiresAt !== null && key.previousExpiresAt > now;
  return {
    id: key.id,
    name: key.name,
    workspace_id: key.workspaceId,
    workspace_name: key.workspace.name,
    access: accessOf(scopes),
    scopes,
    ip_allowlist: key.ipAllowlist ? key.ipAllowlist.split(" ") : [],
    owner: key.createdBy ? { id: key.createdBy.id, email: key.createdBy.email } : null,
    prefix: key.prefix,
    status,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    last_used_ip: key.lastUsedIp ?? null,
    last_used_user_agent: key.lastUsedUserAgent ?? null,
    expires_at: key.expiresAt?.toISOString() ?? null,
    expiring_soon: status === "active" && key.expiresAt !== null && key.expiresAt.getTime() - now.getTime() <= EXPIRING_SOON_MS,
    rotated_at: key.rotatedAt?.toISOString() ?? null,
    previous_secret_expires_at: previousLive ? key.previousExpiresAt!.toISOString() : null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    revoked_reason: (key.revokedReason as ApiKeyView["revoked_reason"]) ?? null,
    revoked_url: key.revokedUrl ?? null,
    revoked_reporter: key.revokedReporter ?? null,
  };
}

export const withKeyRelations = { workspace: true, createdBy: true } as const;
