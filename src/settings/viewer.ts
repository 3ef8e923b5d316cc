import type { Actor } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ForbiddenError, NotFoundError } from "../errors/app-error.js";
import type { SignedInUser } from "../users/session-user.js";
import { ADMIN_ROLES, type WorkspaceSummary } from "../workspaces/administered-workspaces.js";

/**
 * The signed-in person as Settings and /api see them: the workspaces they administer (where they manage
 * credentials) and those where they are only a member (where every admin action is refused).
 */
export interface Viewer {
  user: SignedInUser;
  administered: WorkspaceSummary[];
  memberOnly: WorkspaceSummary[];
  /** How their actions appear in the audit log. */
  actor: Actor;
}

/** Loads the viewer's memberships, each list sorted by workspace name. */
export async function loadViewer(db: Db, user: SignedInUser): Promise<Viewer> {
  const rows = await db.membership.findMany({ where: { userId: user.id }, include: { workspace: true } });
  const all = rows
    .map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    user,
    administered: all.filter((w) => ADMIN_ROLES.includes(w.role)),
    memberOnly: all.filter((w) => !ADMIN_ROLES.includes(w.role)),
    actor: { type: "user", id: user.id, label: user.email },
  };
}

/** Ids of the workspaces the viewer administers: the scope of every list and admin action. */
export function administeredIds(viewer: Viewer): string[] {
  return viewer.administered.map((w) => w.id);
}

const ADMINS_ONLY = "Only owners and admins of this workspace can manage its credentials.";

/** The administered workspace with this id, or a 403 (the id came from the viewer, so naming it leaks nothing). */
export function requireAdministered(viewer: Viewer, workspaceId: string): WorkspaceSummary {
  const workspace = viewer.administered.find((w) => w.id === workspaceId);
  if (!workspace) throw new ForbiddenError(ADMINS_ONLY);
  return workspace;
}

/**
 * Refuses an admin action on a record of some workspace: 404 when the record is in none of the viewer's
 * workspaces (exactly like a missing one), 403 when the viewer is only a member of its workspace.
 * `workspaceOf` looks the record up among the viewer's workspaces only.
 */
export async function requireAdminOfRecord(
  viewer: Viewer,
  what: string,
  workspaceOf: (memberWorkspaceIds: string[]) => Promise<string | null>,
): Promise<void> {
  const memberIds = [...viewer.administered, ...viewer.memberOnly].map((w) => w.id);
  const workspaceId = await workspaceOf(memberIds);
  if (!workspaceId) throw new NotFoundError(what);
  requireAdministered(viewer, workspaceId);
}

/** The workspace of an API key among the given workspaces, for requireAdminOfRecord. */
export function apiKeyWorkspace(db: Db, id: string) {
  return async (workspaceIds: string[]) =>
    (await db.apiKey.findFirst({ where: { id, workspaceId: { in: workspaceIds } }, select: { workspaceId: true } }))
      ?.workspaceId ?? null;
}

/** The workspace of an authorized-app record among the given workspaces, for requireAdminOfRecord. */
export function authorizedAppWorkspace(db: Db, id: string) {
  return async (workspaceIds: string[]) =>
    (await db.authorizedApp.findFirst({ where: { id, workspaceId: { in: workspaceIds } }, select: { workspaceId: true } }))
      ?.workspaceId ?? null;
}
