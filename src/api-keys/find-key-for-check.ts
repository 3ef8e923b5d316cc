import { Prisma } from "../generated/sqlite/client.js";
import type { Db } from "../db/client.js";
import { readRows } from "../db/read-rows.js";

/** What a key check needs of a key and its workspace (credentials/cached-api-key.ts builds its entry from it). */
export interface KeyForCheck {
  id: string;
  status: string;
  access: string;
  scopes: string;
  ipAllowlist: string;
  prefix: string;
  expiresAt: Date | null;
  previousExpiresAt: Date | null;
  workspace: { id: string; name: string };
}

interface KeyRow extends Omit<KeyForCheck, "workspace"> {
  workspaceId: string;
  workspaceName: string;
}

/**
 * The key whose secret has this digest, and its workspace, in one statement through a unique index: `digest` for
 * the current secret, `previousDigest` for the one a rotation with overlap keeps working. A raw, parameterised
 * query: Prisma's `findUnique` with `include` runs two statements and costs several times the query itself in its
 * builder. Portable SQL (quoted identifiers, one bound parameter), so the same text runs on SQLite and PostgreSQL.
 */
export async function findKeyForCheck(db: Db, digest: string, secret: "current" | "previous" = "current"): Promise<KeyForCheck | null> {
  const column = Prisma.raw(secret === "current" ? `k."digest"` : `k."previousDigest"`);
  const rows = await readRows<KeyRow>(
    db,
    Prisma.sql`
    SELECT k."id", k."status", k."access", k."scopes", k."ipAllowlist", k."prefix", k."expiresAt", k."previousExpiresAt",
           w."id" AS "workspaceId", w."name" AS "workspaceName"
    FROM "ApiKey" k JOIN "Workspace" w ON w."id" = k."workspaceId"
    WHERE ${column} = ${digest}`,
  );
  if (!rows[0]) return null;
  const { workspaceId, workspaceName, ...key } = rows[0];
  return { ...key, workspace: { id: workspaceId, name: workspaceName } };
}
