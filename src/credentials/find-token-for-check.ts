import type { Db } from "../db/client.js";
import { readRows } from "../db/read-rows.js";
import { Prisma } from "../generated/sqlite/client.js";

/** What a token check needs: the stored token and, when its grant is in the registry, the record, its workspace and client. */
export interface TokenForCheck {
  /** The provider's stored payload (JSON text). */
  payload: string;
  grantId: string | null;
  /** The registry's link of the grant, if any. */
  link: { revokedAt: Date | null } | null;
  /** The authorized-app record the grant belongs to, if any. */
  record: { id: string; status: string; clientId: string; workspace: { id: string; name: string }; clientStatus: string } | null;
}

interface TokenRow {
  payload: string;
  grantId: string | null;
  linkGrantId: string | null;
  linkRevokedAt: Date | null;
  recordId: string | null;
  recordStatus: string | null;
  recordClientId: string | null;
  workspaceId: string | null;
  workspaceName: string | null;
  clientStatus: string | null;
}

/**
 * The access token stored under this id, with what decides whether it may be used (its grant's link in the
 * authorized-apps registry, the record, its workspace and its client), in one statement through primary keys.
 * Prisma's `findUnique` calls for the same (the token, then the link with its record, workspace and client) ran
 * four statements and cost several milliseconds in its query builder on a cache miss. Portable SQL, bound
 * parameters only: the same text runs on SQLite and PostgreSQL.
 */
export async function findTokenForCheck(db: Db, storageId: string): Promise<TokenForCheck | null> {
  const [row] = await readRows<TokenRow>(
    db,
    Prisma.sql`
    SELECT m."payload", m."grantId", l."grantId" AS "linkGrantId", l."revokedAt" AS "linkRevokedAt",
           a."id" AS "recordId", a."status" AS "recordStatus", a."clientId" AS "recordClientId",
           w."id" AS "workspaceId", w."name" AS "workspaceName", c."status" AS "clientStatus"
    FROM "OidcModel" m
    LEFT JOIN "AuthorizedAppGrant" l ON l."grantId" = m."grantId"
    LEFT JOIN "AuthorizedApp" a ON a."id" = l."authorizedAppId"
    LEFT JOIN "Workspace" w ON w."id" = a."workspaceId"
    LEFT JOIN "OAuthClient" c ON c."id" = a."clientId"
    WHERE m."id" = ${storageId} AND m."type" = ${"AccessToken"}`,
  );
  if (!row) return null;
  return {
    payload: row.payload,
    grantId: row.grantId,
    link: row.linkGrantId === null ? null : { revokedAt: row.linkRevokedAt },
    // A record always has its workspace and client (required relations, deleted with them).
    record:
      row.recordId === null
        ? null
        : {
            id: row.recordId,
            status: row.recordStatus!,
            clientId: row.recordClientId!,
            workspace: { id: row.workspaceId!, name: row.workspaceName! },
            clientStatus: row.clientStatus!,
          },
  };
}
