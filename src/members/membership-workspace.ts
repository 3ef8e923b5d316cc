import type { Db } from "../db/client.js";

/** The workspace of a membership among the given workspaces, for requireAdminOfRecord (404 outside them). */
export function membershipWorkspace(db: Db, id: string) {
  return async (workspaceIds: string[]) =>
    (await db.membership.findFirst({ where: { id, workspaceId: { in: workspaceIds } }, select: { workspaceId: true } }))?.workspaceId ?? null;
}
