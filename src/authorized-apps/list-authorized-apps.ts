import type { Db } from "../db/client.js";
import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "./authorized-app-view.js";

export interface ListAuthorizedAppsQuery {
  workspaceIds: string[];
  /** Only active or only revoked records; both (revoked ones as history) when omitted. */
  status?: "active" | "revoked";
}

/** The apps connected to the given workspaces, newest authorization first. */
export async function listAuthorizedApps(db: Db, query: ListAuthorizedAppsQuery): Promise<AuthorizedAppView[]> {
  const rows = await db.authorizedApp.findMany({
    where: { workspaceId: { in: query.workspaceIds }, ...(query.status ? { status: query.status } : {}) },
    include: withAppRelations,
    orderBy: [{ authorizedAt: "desc" }, { id: "desc" }],
  });
  return rows.map(toAuthorizedAppView);
}
