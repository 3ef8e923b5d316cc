import type { Db } from "../db/client.js";
import type { Role } from "../workspaces/roles.js";
import { activeAppsWithApprover, activeKeyCounts } from "./left-behind.js";
import { type MemberView, toMemberView } from "./member-view.js";

const ROLE_ORDER: Record<string, number> = { owner: 0, admin: 1, member: 2 };

/** The people of a workspace, owners first, then admins and members, each by name or email. */
export async function listMembers(db: Db, workspaceId: string, now = new Date()): Promise<MemberView[]> {
  const [memberships, keyCounts, apps] = await Promise.all([
    db.membership.findMany({ where: { workspaceId }, include: { user: true } }),
    activeKeyCounts(db, workspaceId, now),
    activeAppsWithApprover(db, workspaceId),
  ]);
  const appCounts = new Map<string, number>();
  for (const { approverId } of apps) if (approverId) appCounts.set(approverId, (appCounts.get(approverId) ?? 0) + 1);
  const sortName = (m: (typeof memberships)[number]) => (m.user.name ?? m.user.email).toLowerCase();
  return memberships
    .sort((a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || sortName(a).localeCompare(sortName(b)))
    .map((m) =>
      toMemberView({
        id: m.id,
        user_id: m.userId,
        name: m.user.name,
        email: m.user.email,
        role: m.role as Role,
        joined_at: m.createdAt.toISOString(),
        last_sign_in_at: m.user.lastSignInAt?.toISOString() ?? null,
        active_api_keys: keyCounts.get(m.userId) ?? 0,
        approved_apps: appCounts.get(m.userId) ?? 0,
      }),
    );
}
