import type { Actor } from "../audit/audit-log.js";
import { NotFoundError } from "../errors/app-error.js";
import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "./authorized-app-view.js";
import type { AuthorizedAppDeps, RevokedBy } from "./deps.js";
import { endAuthorizations } from "./end-authorizations.js";

export interface RevokeAuthorizedAppTarget {
  id: string;
  /** When set, the record must belong to one of these workspaces (Settings); the CLI operator may name any. */
  workspaceIds?: string[];
  by: RevokedBy;
  actor: Actor;
}

/**
 * Disconnects an app from a workspace: every grant of the record ends and every token issued under it
 * fails from the very next request (in other processes within the feed's poll interval). The data the
 * app created stays; connecting again needs a new consent. Revoking twice succeeds.
 */
export async function revokeAuthorizedApp(deps: AuthorizedAppDeps, target: RevokeAuthorizedAppTarget): Promise<AuthorizedAppView> {
  const scope = { id: target.id, ...(target.workspaceIds ? { workspaceId: { in: target.workspaceIds } } : {}) };
  const row = await deps.db.$transaction(async (tx) => {
    const current = await tx.authorizedApp.findFirst({ where: scope, select: { id: true } });
    if (!current) throw new NotFoundError("authorized app");
    await endAuthorizations(tx, [current.id], { by: target.by, actor: target.actor, now: new Date() });
    return tx.authorizedApp.findUniqueOrThrow({ where: { id: current.id }, include: withAppRelations });
  });
  deps.feed.emit("authorized_app", row.id);
  return toAuthorizedAppView(row);
}
