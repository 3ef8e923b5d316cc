import { z } from "zod";
import type { AuthorizedApp, OAuthClient, Workspace } from "../generated/sqlite/client.js";
import type { RevokedBy, RevokedReason } from "./deps.js";

export type AuthorizedAppStatus = "active" | "revoked";

const timestamp = z.iso.datetime();

// Keyed by RevokedReason so a reason added there fails the type check here instead of failing the view's parse.
const revokedReasons = { code_replay: true, refresh_token_reuse: true, sign_out: true, client_deleted: true, reported_leaked: true } satisfies Record<
  RevokedReason,
  true
>;

/**
 * One (app, workspace) authorization as people and scripts see it. The OpenAPI document is generated from this
 * schema and toAuthorizedAppView emits through it.
 */
export const authorizedAppViewSchema = z
  .object({
    id: z.string(),
    client_id: z.string(),
    app_name: z.string(),
    workspace_id: z.string(),
    workspace_name: z.string(),
    scopes: z.array(z.string()).describe("The union of the scopes of every live grant: everything a token of this app can still do here."),
    authorized_at: timestamp,
    last_used_at: timestamp.nullable(),
    last_used_ip: z.string().nullable().describe("Client address of the last use (recorded at most once a minute, like last_used_at)."),
    last_used_user_agent: z.string().nullable().describe("User agent of the last use."),
    status: z.enum(["active", "revoked"]),
    revoked_at: timestamp.nullable(),
    revoked_by: z.enum(["user", "app", "system"] satisfies RevokedBy[]).nullable(),
    revoked_by_user_id: z.string().nullable().describe("The person who revoked it (Settings, /api), else null."),
    revoked_by_name: z
      .string()
      .nullable()
      .describe('Who revoked it, for people: the person\'s email, "command line", or the app\'s name; null for the system.'),
    revoked_reason: z
      .enum(Object.keys(revokedReasons) as [RevokedReason, ...RevokedReason[]])
      .nullable()
      .describe("Why the system revoked it; else null."),
  })
  .meta({ id: "AuthorizedApp" });

export type AuthorizedAppView = z.output<typeof authorizedAppViewSchema>;

export type AuthorizedAppRow = AuthorizedApp & { client: OAuthClient; workspace: Workspace };

export const withAppRelations = { client: true, workspace: true } as const;

/** Maps a row to its view. */
export function toAuthorizedAppView(row: AuthorizedAppRow): AuthorizedAppView {
  const view: z.input<typeof authorizedAppViewSchema> = {
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
  return authorizedAppViewSchema.parse(view);
}
