/** An invitation as Settings, /api and the CLI show it. Never holds the secret or its digest. */
export interface InvitationView {
  id: string;
  workspace_id: string;
  email: string;
  role: string;
  /** pending | expired | accepted | revoked */
  status: "pending" | "expired" | "accepted" | "revoked";
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  /** sent | failed | not_configured: whether the link also went out by email. */
  mail_status: string;
}

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
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    email: row.email,
    role: row.role,
    status: invitationStatus(row, now),
    invited_by: row.invitedByName,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    accepted_at: row.acceptedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    mail_status: row.mailStatus,
  };
}
