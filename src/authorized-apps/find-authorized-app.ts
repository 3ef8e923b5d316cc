import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";
import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "./authorized-app-view.js";

/** One authorized-app record the scope may manage: a 404 like a missing one outside it, a 403 for a member. */
export async function findAuthorizedApp(db: Db, id: string, scope: AccessScope): Promise<AuthorizedAppView> {
  const row = await db.authorizedApp.findFirst({ where: { id, ...visibleWorkspaces(scope) }, include: withAppRelations });
  return toAuthorizedAppView(requireManaged(scope, "authorized app", row));
}
