import type { Db } from "../db/client.js";
import { readRows } from "../db/read-rows.js";
import { Prisma } from "../generated/sqlite/client.js";

const REMEMBERED = 100_000;

/**
 * The workspace chosen on consent, as a claim of every access token (it shows in introspection). A grant's
 * workspace never changes (a grant is never reused across workspaces), so once found it is remembered and
 * the token endpoint asks the registry no more; whether the grant may still issue tokens is not decided
 * here but by its stored tokens, which revoking deletes.
 */
export function workspaceClaim(db: Db) {
  const workspaceOfGrant = new Map<string, string>();
  return async (_ctx: unknown, token: object) => {
    const grantId = (token as { grantId?: string }).grantId;
    if (!grantId) return undefined;
    let workspaceId = workspaceOfGrant.get(grantId);
    if (workspaceId === undefined) {
      const rows = await readRows<{ workspaceId: string }>(
        db,
        Prisma.sql`
        SELECT a."workspaceId" FROM "AuthorizedAppGrant" g JOIN "AuthorizedApp" a ON a."id" = g."authorizedAppId"
        WHERE g."grantId" = ${grantId}`,
      );
      workspaceId = rows[0]?.workspaceId;
      if (workspaceId === undefined) return undefined;
      // Forget everything rather than track ages: refilling costs one query per grant.
      if (workspaceOfGrant.size >= REMEMBERED) workspaceOfGrant.clear();
      workspaceOfGrant.set(grantId, workspaceId);
    }
    return { workspace_id: workspaceId };
  };
}
