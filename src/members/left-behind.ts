import { type ApiKeyRow, withKeyRelations } from "../api-keys/api-key-view.js";
import { type AuthorizedAppRow, withAppRelations } from "../authorized-apps/authorized-app-view.js";
import type { Db } from "../db/client.js";

type Tx = Pick<Db, "apiKey" | "authorizedApp">;

/** A key counts as left behind while it still works: active and not past its expiry. */
function workingKeys(workspaceId: string, now: Date) {
  return { workspaceId, status: "active", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

/** Active keys of the workspace the person owns, newest first. */
export function activeKeysOwnedBy(tx: Tx, workspaceId: string, userId: string, now: Date): Promise<ApiKeyRow[]> {
  return tx.apiKey.findMany({
    where: { ...workingKeys(workspaceId, now), createdById: userId },
    include: withKeyRelations,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** How many working keys each person owns in the workspace. */
export async function activeKeyCounts(tx: Tx, workspaceId: string, now: Date): Promise<Map<string, number>> {
  const rows = await tx.apiKey.groupBy({ by: ["createdById"], where: workingKeys(workspaceId, now), _count: { _all: true } });
  return new Map(rows.filter((r) => r.createdById).map((r) => [r.createdById as string, r._count._all]));
}

/**
 * The active authorized apps of the workspace, each with the person whose approval it now rests on: the approver
 * of its newest live grant (each grant records its approver), or, for grants approved before grants recorded
 * one, the record's latest approver. A newer approval by someone else takes the app off the leaver's list.
 */
export async function activeAppsWithApprover(tx: Tx, workspaceId: string): Promise<{ row: AuthorizedAppRow; approverId: string | null }[]> {
  const rows = await tx.authorizedApp.findMany({
    where: { workspaceId, status: "active" },
    include: {
      ...withAppRelations,
      grants: { where: { revokedAt: null }, orderBy: [{ createdAt: "desc" }, { grantId: "desc" }], take: 1, select: { approvedById: true } },
    },
    orderBy: [{ authorizedAt: "desc" }, { id: "desc" }],
  });
  return rows.map(({ grants, ...row }) => ({ row, approverId: grants[0]?.approvedById ?? row.approvedById }));
}

/** What a person leaves behind in a workspace: the keys they own and the apps resting on their approval. */
export async function credentialsLeftBehind(tx: Tx, workspaceId: string, userId: string, now: Date) {
  const [apiKeys, apps] = await Promise.all([activeKeysOwnedBy(tx, workspaceId, userId, now), activeAppsWithApprover(tx, workspaceId)]);
  return { apiKeys, authorizedApps: apps.filter((a) => a.approverId === userId).map((a) => a.row) };
}
