import { z } from "zod";
import type { ApiKey, User, Workspace } from "../generated/sqlite/client.js";
import { accessOf, KEY_SCOPES, scopesOfKey } from "./key-scopes.js";

export type { ApiKeyAccess } from "./key-scopes.js";
export type ApiKeyStatus = "active" | "revoked" | "expired";


/** A key expiring within this many days is flagged in lists and announced once in the Activity log. */
export const EXPIRING_SOON_DAYS = 7;
const EXPIRING_SOON_MS = EXPIRING_SOON_DAYS * 86_400_000;

const timestamp = z.iso.datetime();

/**
 * How a key is shown to people and scripts (/api, CLI). Never contains the secret or its digest. The OpenAPI
 * document is generated from this schema and toApiKeyView emits through it.
 */
export const apiKeyViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    workspace_id: z.string(),
    workspace_name: z.string(),
    access: z.enum(["read_only", "read_write", "custom"]).describe("`read_only` / `read_write` when `scopes` are exactly a preset's, else `custom`."),
    scopes: z.array(z.enum(KEY_SCOPES)).describe("The /v1 scopes the key carries."),
    ip_allowlist: z.array(z.string()).describe("Addresses and CIDR ranges the key may be used from; empty: any address."),
    owner: z.object({ id: z.string(), email: z.string() }).nullable(),
    prefix: z.string(),
    status: z.enum(["active", "revoked", "expired"]),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    last_used_ip: z.string().nullable().describe("Client address of the last use (recorded at most once a minute, like last_used_at)."),
    last_used_user_agent: z.string().nullable().describe("User agent of the last use."),
    expires_at: timestamp.nullable(),
    expiring_soon: z.boolean().describe(`Active and expiring within ${EXPIRING_SOON_DAYS} days.`),
    rotated_at: timestamp.nullable(),
    previous_secret_expires_at: timestamp
      .nullable()
      .describe("While a rotation's overlap lasts, when the previous secret stops working; else null."),
    revoked_at: timestamp.nullable(),
    revoked_reason: z
      .enum(["reported_leaked", "found_public"])
      .nullable()
      .describe("`reported_leaked` or `found_public` when a leak report revoked the key; null otherwise."),
    revoked_url: z.string().nullable().describe("Where a secret scanner found the key (found_public)."),
    revoked_reporter: z.string().nullable().describe("The address that reported the key leaked (reported_leaked)."),
  })
  .meta({ id: "ApiKey" });

export type ApiKeyView = z.output<typeof apiKeyViewSchema>;

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
  const view: z.input<typeof apiKeyViewSchema> = {
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
  return apiKeyViewSchema.parse(view);
}

export const withKeyRelations = { workspace: true, createdBy: true } as const;
