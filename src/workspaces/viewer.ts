import type { Actor } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ADMINS_ONLY, type WorkspaceScope, workspaceScope } from "../access/access-scope.js";
import { ForbiddenError, NotFoundError } from "../errors/app-error.js";
import type { SignedInUser } from "../users/session-user.js";
import { ADMIN_ROLES, type WorkspaceSummary } from "./administered-workspaces.js";

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

/** The administered workspace with this id, or a 403 (the id came from the viewer, so naming it leaks nothing). */
export function requireAdministered(viewer: Viewer, workspaceId: string): WorkspaceSummary {
  const workspace = viewer.administered.find((w) => w.id === workspaceId);
  if (!workspace) throw new ForbiddenError(ADMINS_ONLY);
  return workspace;
}

/** Every workspace the viewer belongs to (administered or only a member), by name. */
export function memberships(viewer: Viewer): WorkspaceSummary[] {
  return [...viewer.administered, ...viewer.memberOnly].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The viewer's workspace with this id (members included: they read), or a 404, as for a missing one. */
export function requireMember(viewer: Viewer, workspaceId: string): WorkspaceSummary {
  const workspace = viewer.administered.find((w) => w.id === workspaceId) ?? viewer.memberOnly.find((w) => w.id === workspaceId);
  if (!workspace) throw new NotFoundError("workspace");
  return workspace;
}

/** The workspace picked with ?workspace=ID (404 outside the viewer's), or the first by name (null when none). */
export function selectedWorkspace(viewer: Viewer, requested: unknown): WorkspaceSummary | null {
  if (typeof requested !== "string" || !requested) return memberships(viewer)[0] ?? null;
  return requireMember(viewer, requested);
}

/** The viewer's access scope, handed to every service call made on their behalf. */
export function scopeOf(viewer: Viewer): WorkspaceScope {
  return workspaceScope(administeredIds(viewer), viewer.memberOnly.map((w) => w.id));
}
