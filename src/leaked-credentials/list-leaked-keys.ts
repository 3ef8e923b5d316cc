import { type AccessScope, administeredWorkspaces } from "../access/access-scope.js";
import type { Db } from "../db/client.js";

/** How long Settings keeps warning about a key that a leak report revoked. */
export const LEAK_BANNER_DAYS = 30;

/** A key revoked because it leaked, as the API Keys page's banner shows it. */
export interface LeakedKeyNotice {
  id: string;
  name: string;
  prefix: string;
  workspace_name: string;
  reason: "reported_leaked" | "found_public";
  /** Where a secret scanner found it; shown as a link only when it is http(s). */
  url: string | null;
  /** The address that reported it leaked. */
  reporter: string | null;
  revoked_at: string;
  /** Whether `url` may be a link (a report could carry any text there). */
  linkable: boolean;
}

/** Keys of the workspaces `scope` manages that a leak report revoked in the last 30 days, newest first. */
export async function listLeakedKeys(db: Db, scope: AccessScope, now = new Date()): Promise<LeakedKeyNotice[]> {
  if (scope.kind === "workspaces" && scope.administered.length === 0) return [];
  const since = new Date(now.getTime() - LEAK_BANNER_DAYS * 24 * 60 * 60 * 1000);
  const rows = await db.apiKey.findMany({
    where: { ...administeredWorkspaces(scope), status: "revoked", revokedReason: { in: ["reported_leaked", "found_public"] }, revokedAt: { gte: since } },
    include: { workspace: { select: { name: true } } },
    orderBy: [{ revokedAt: "desc" }, { id: "desc" }],
    take: 50,
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    workspace_name: row.workspace.name,
    reason: row.revokedReason as LeakedKeyNotice["reason"],
    url: row.revokedUrl,
    reporter: row.revokedReporter,
    revoked_at: (row.revokedAt ?? now).toISOString(),
    linkable: /^https?:\/\//i.test(row.revokedUrl ?? ""),
  }));
}
