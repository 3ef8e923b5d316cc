import type { Db } from "../db/client.js";
import { v1ScopesIn } from "../oauth/scopes.js";

type Tx = Pick<Db, "authorizedApp" | "authorizedAppGrant">;

/**
 * Sets a record's scopes to the union of the scopes of its grants that have not ended, in the canonical
 * order. Every token issued under any of them is accepted, so the registry must never show less: a later,
 * narrower approval does not narrow what an earlier grant still allows. Called inside the transaction that
 * links or ends a grant. Returns the scopes written.
 */
export async function recomputeRecordScopes(tx: Tx, recordId: string): Promise<string[]> {
  const live = await tx.authorizedAppGrant.findMany({ where: { authorizedAppId: recordId, revokedAt: null }, select: { scopes: true } });
  const scopes = v1ScopesIn(live.map((g) => g.scopes).join(" "));
  await tx.authorizedApp.update({ where: { id: recordId }, data: { scopes: scopes.join(" ") } });
  return scopes;
}
