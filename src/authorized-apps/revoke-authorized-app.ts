import type { Actor } from "../audit/audit-log.js";
import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type AuthorizedAppView, toAuthorizedAppView, withAppRelations } from "./authorized-app-view.js";
import type { AuthorizedAppDeps, RevokedBy } from "./deps.js";
import { endAuthorizations } from "./end-authorizations.js";
import { withChanges } from "../change-feed/record-changes.js";

export interface RevokeAuthorizedAppTarget {
  id: string;
  /** Whose records this call may change: a person's administered workspaces, or the CLI operator's reach. */
  scope: AccessScope;
  by: RevokedBy;
  actor: Actor;
}

/**
 * Disconnects an app from a workspace: every grant of the record ends and every token issued under it
 * fails from the very next request (in other processes within the feed's poll interval). The data the
 * app created stays; connecting again needs a new consent. Revoking twice succeeds.
 */
export async function revokeAuthorizedApp(deps: AuthorizedAppDeps, target: RevokeAuthorizedAppTarget): Promise<AuthorizedAppView> {
  const row = await withChanges(deps, async (tx, recordChange) => {
    const current = requireManaged(
      target.scope,
      "authorized app",
      await tx.authorizedApp.findFirst({ where: { id: target.id, ...visibleWorkspaces(target.scope) }, select: { id: true, workspaceId: true } }),
    );
    await endAuthorizations(tx, recordChange, [current.id], { by: target.by, actor: target.actor, now: new Date() });
    return tx.authorizedApp.findUniqueOrThrow({ where: { id: current.id }, include: withAppRelations });
  });
  return toAuthorizedAppView(row);
}
