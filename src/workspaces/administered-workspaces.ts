import type { Db } from "../db/client.js";

/** Roles with rights over a workspace's credentials (owners and admins have the same rights). */
export const ADMIN_ROLES = ["owner", "admin"];

export interface WorkspaceSummary {
  id: string;
  name: string;
  role: string;
}

/** Workspaces the user is owner or admin of, by name. */
export async function listAdministeredWorkspaces(db: Db, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db.membership.findMany({
    where: { userId, role: { in: ADMIN_ROLES } },
    include: { workspace: true },
  });
  return rows
    .map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Whether the user administers the workspace. Checked on the server for every admin action. */
export async function administers(db: Db, userId: string, workspaceId: string): Promise<boolean> {
  const membership = await db.membership.findFirst({
    where: { userId, workspaceId, role: { in: ADMIN_ROLES } },
    select: { id: true },
  });
  return membership !== null;
}
