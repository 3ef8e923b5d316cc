import { type AccessScope, administeredWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { type InvitationView, invitationView } from "./invitation-view.js";

const RECENTLY_EXPIRED_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The open invitations of the workspaces the scope manages (or of one of them): pending, and those that expired
 * unused in the last 30 days so the admin sees why someone could not join. Newest first.
 */
export async function listOpenInvitations(
  db: Db,
  scope: AccessScope,
  workspaceId?: string,
  now = new Date(),
): Promise<InvitationView[]> {
  const managed = administeredWorkspaces(scope);
  const rows = await db.invitation.findMany({
    where: {
      AND: [managed, workspaceId ? { workspaceId } : {}],
      status: "pending",
      expiresAt: { gt: new Date(now.getTime() - RECENTLY_EXPIRED_MS) },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  return rows.map((row) => invitationView(row, now));
}
