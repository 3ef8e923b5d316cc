import { z } from "zod";
import { ROLES } from "../workspaces/roles.js";

const timestamp = z.iso.datetime();

/**
 * An invitation as Settings, /api and the CLI show it. Never holds the secret or its digest. The OpenAPI
 * document is generated from this schema and invitationView emits through it.
 */
export const invitationViewSchema = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    status: z.enum(["pending", "expired", "accepted", "revoked"]),
    invited_by: z.string().nullable().describe('Who invited, as Activity names them: the person\'s email or "command line".'),
    created_at: timestamp,
    expires_at: timestamp,
    accepted_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    mail_status: z.enum(["sent", "failed", "not_configured"]).describe("Whether the link also went out by email."),
  })
  .meta({ id: "Invitation" });

export type InvitationView = z.output<typeof invitationViewSchema>;

export interface InvitationRow {
  id: string;
  workspaceId: string;
  email: string;
  role: string;
  status: string;
  invitedByName: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  mailStatus: string;
}

/** A pending invitation past its expiry reads as expired; the row itself is never rewritten for it. */
export function invitationStatus(row: Pick<InvitationRow, "status" | "expiresAt">, now = new Date()): InvitationView["status"] {
  if (row.status === "pending") return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
  return row.status === "accepted" ? "accepted" : "revoked";
}

export function invitationView(row: InvitationRow, now = new Date()): InvitationView {
  const view: z.input<typeof invitationViewSchema> = {
    id: row.id,
    workspace_id: row.workspaceId,
    email: row.email,
    role: row.role as InvitationView["role"],
    status: invitationStatus(row, now),
    invited_by: row.invitedByName,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    accepted_at: row.acceptedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    mail_status: row.mailStatus as InvitationView["mail_status"],
  };
  return invitationViewSchema.parse(view);
}
