import type { Db } from "../db/client.js";
import { type InvitationView, invitationView } from "./invitation-view.js";

/**
 * The workspace's open invitations (pending, and those that expired unused in the last 30 days so the admin
 * sees why someone could not join), newest first.
 */
export async function listOpenInvitations(db: Db, workspaceId: string, now = new Date()): Promise<InvitationView[]> {
  const rows = await db.invitation.findMany({
    where: { workspaceId, status: "pending", expiresAt: { gt: new Date(now.getTime() - 30 * 24 * 60 * 60 * 1000) } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  return rows.map((row) => invitationView(row, now));
}
