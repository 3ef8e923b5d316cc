import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";

/** One membership the scope may manage, with its person and workspace: 404 outside the scope, 403 as a member. */
export async function findManagedMembership(db: Db, id: string, scope: AccessScope) {
  const row = await db.membership.findFirst({ where: { id, ...visibleWorkspaces(scope) }, include: { user: true, workspace: true } });
  return requireManaged(scope, "workspace member", row);
}
