import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";
import { requireUserByEmail } from "../users/find-user-by-email.js";

/** The workspace with this id, or `not_found`. */
export async function requireWorkspace(db: Pick<Db, "workspace">, id: string): Promise<{ id: string; name: string }> {
  const workspace = await db.workspace.findUnique({ where: { id }, select: { id: true, name: true } });
  if (!workspace) throw new NotFoundError("workspace");
  return workspace;
}

/** The membership of the user with this email in the workspace, or `not_found` for either. */
export async function requireMember(
  db: Pick<Db, "workspace" | "user" | "membership">,
  workspaceId: string,
  email: string,
) {
  const workspace = await requireWorkspace(db, workspaceId);
  const user = await requireUserByEmail(db, email);
  const membership = await db.membership.findUnique({
    where: { workspaceId_userId: { workspaceId: workspace.id, userId: user.id } },
  });
  if (!membership) throw new NotFoundError("workspace member");
  return { workspace, user, membership };
}
