import type { Db } from "../db/client.js";

/** What a key check needs of a key and its workspace. */
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

const toKey = ({ workspaceId, workspaceName, ...key }: KeyRow): KeyForCheck => ({
  ...key,
  workspace: { id: workspaceId, name: workspaceName },
});

/**
 * The key whose current secret has this digest, and its workspace, in one statement through the unique index on
 * `digest`. A raw, parameterised query: Prisma's `findUnique` with `include` runs two statements and costs several
 * times the query itself in its builder. Portable SQL (quoted identifiers, one bound parameter), so the same text
 * runs on SQLite and PostgreSQL.
 */
export async function findKeyForCheck(db: Db, digest: string): Promise<KeyForCheck | null> {
  const rows = await db.$queryRaw<KeyRow[]>`
    SELECT k."id", k."status", k."access", k."scopes", k."ipAllowlist", k."prefix", k."expiresAt", k."previousExpiresAt",
           w."id" AS "workspaceId", w."name" AS "workspaceName"
    FROM "ApiKey" k JOIN "Workspace" w ON w."id" = k."workspaceId"
    WHERE k."digest" = ${digest}`;
  return rows[0] ? toKey(rows[0]) : null;
}

/** The key whose previous secret (kept working by a rotation with overlap) has this digest; the same one statement. */
export async function findKeyByPreviousSecret(db: Db, digest: string): Promise<KeyForCheck | null> {
  const rows = await db.$queryRaw<KeyRow[]>`
    SELECT k."id", k."status", k."access", k."scopes", k."ipAllowlist", k."prefix", k."expiresAt", k."previousExpiresAt",
           w."id" AS "workspaceId", w."name" AS "workspaceName"
    FROM "ApiKey" k JOIN "Workspace" w ON w."id" = k."workspaceId"
    WHERE k."previousDigest" = ${digest}`;
  return rows[0] ? toKey(rows[0]) : null;
}
