import type { Db } from "../db/client.js";
import { v1ScopesIn } from "../scopes/scopes.js";

type Tx = Pick<Db, "authorizedApp" | "authorizedAppGrant">;

/**
 * Takes the record's row lock for the rest of the transaction by writing back a value it holds (PostgreSQL
 * row lock; SQLite has one writer anyway), so two grants ending at once are handled one after the other and
 * neither reads the grants while the other's end is uncommitted. Call it before reading the record's grants.
 */
export async function lockRecord(tx: Tx, record: { id: string; scopes: string }): Promise<void> {
  await tx.authorizedApp.updateMany({ where: { id: record.id }, data: { scopes: record.scopes } });
}

/**
 * Sets a record's scopes to the union of the scopes of its grants that have not ended, in the canonical
 * order. Every token issued under any of them is accepted, so the registry must never show less: a later,
 * narrower approval does not narrow what an earlier grant still allows. Called inside the transaction that
 * links or ends a grant, after that transaction has written the record (or `lockRecord`). Returns the scopes.
 */
export async function recomputeRecordScopes(tx: Tx, recordId: string): Promise<string[]> {
  const live = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: recordId, revokedAt: null }, select: { scopes: true } });
  const scopes = v1ScopesIn(live.map((g) => g.scopes).join(" "));
  await tx.authorizedApp.update({ where: { id: recordId }, data: { scopes: scopes.join(" ") } });
  return scopes;
}
