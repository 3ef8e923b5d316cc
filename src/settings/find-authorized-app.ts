import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "../authorized-apps/authorized-app-view.js";
import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";

/** One authorized-app record of the given workspaces, or a 404 exactly like a missing one. */
export async function findAuthorizedApp(db: Db, id: string, workspaceIds: string[]): Promise<AuthorizedAppView> {
  const row = await db.authorizedApp.findFirst({ where: { id, workspaceId: { in: workspaceIds } }, include: withAppRelations });
  if (!row) throw new NotFoundError("authorized app");
  return toAuthorizedAppView(row);
}
