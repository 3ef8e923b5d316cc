import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";

/** A workspace the scope can see: 404 (like a missing one) outside it. */
export async function requireVisibleWorkspace(db: Db, scope: AccessScope, workspaceId: string): Promise<string> {
  const visible = visibleWorkspaces(scope).workspaceId;
  if (visible && !visible.in.includes(workspaceId)) throw new NotFoundError("workspace");
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } });
  if (!workspace) throw new NotFoundError("workspace");
  return workspace.id;
}

/** A workspace the scope may manage: 404 outside it, 403 where the scope is only a member. */
export async function requireManagedWorkspace(db: Db, scope: AccessScope, workspaceId: string): Promise<string> {
  await requireVisibleWorkspace(db, scope, workspaceId);
  return requireManaged(scope, "workspace", { workspaceId }).workspaceId;
}
