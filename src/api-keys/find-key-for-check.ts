import type { Db } from "../db/client.js";

/** What a key check needs of a key and its workspace. */
export interface KeyForCheck {
  id: string;
  status: string;
  access: string;
  prefix: string;
  expiresAt: Date | null;
  workspaceId: string;
  workspaceName: string;
}

/**
 * The key with this digest and its workspace, in one statement through the unique index on `digest`.
 * A raw, parameterised query: Prisma's `findUnique` with `include` runs two statements and costs several
 * times the query itself in its builder. Portable SQL (quoted identifiers, one bound parameter), so the
 * same text runs on SQLite and PostgreSQL.
 */
export async function findKeyForCheck(db: Db, digest: string): Promise<KeyForCheck | null> {
  const rows = await db.$queryRaw<KeyForCheck[]>`
    SELECT k."id", k."status", k."access", k."prefix", k."expiresAt", w."id" AS "workspaceId", w."name" AS "workspaceName"
    FROM "ApiKey" k JOIN "Workspace" w ON w."id" = k."workspaceId"
    WHERE k."digest" = ${digest}`;
  return rows[0] ?? null;
}
