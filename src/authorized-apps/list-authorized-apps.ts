import { type AccessScope, administeredWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "./authorized-app-view.js";

export interface ListAuthorizedAppsQuery {
  /** Lists what this scope manages (narrow it to one workspace with workspaceScope([id])). */
  scope: AccessScope;
  /** Only active or only revoked records; both (revoked ones as history) when omitted. */
  status?: "active" | "revoked";
}

/** The apps connected to the given workspaces, newest authorization first. */
export async function listAuthorizedApps(db: Db, query: ListAuthorizedAppsQuery): Promise<AuthorizedAppView[]> {
  const rows = await db.authorizedApp.findMany({
    where: { ...administeredWorkspaces(query.scope), ...(query.status ? { status: query.status } : {}) },
    include: withAppRelations,
    orderBy: [{ authorizedAt: "desc" }, { id: "desc" }],
  });
  return rows.map(toAuthorizedAppView);
}
