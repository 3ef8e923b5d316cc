import { z } from "zod";
import type { ApiKey, User, Workspace } from "../generated/sqlite/client.js";

export type ApiKeyAccess = "read_only" | "read_write";
export type ApiKeyStatus = "active" | "revoked" | "expired";

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
    access: z.enum(["read_only", "read_write"]),
    owner: z.object({ id: z.string(), email: z.string() }).nullable(),
    prefix: z.string(),
    status: z.enum(["active", "revoked", "expired"]),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
    expires_at: timestamp.nullable(),
    rotated_at: timestamp.nullable(),
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

export function toApiKeyView(key: ApiKeyRow): ApiKeyView {
  const view: z.input<typeof apiKeyViewSchema> = {
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
  return apiKeyViewSchema.parse(view);
}

export const withKeyRelations = { workspace: true, createdBy: true } as const;
