import type { Db } from "../db/client.js";

type Tx = Pick<Db, "webSession" | "oidcModel">;

/**
 * Inside a transaction: signs a person out everywhere except the session `keepSessionId`: their other sessions of
 * our pages, and every session the OAuth provider keeps for their account (the provider's `_session` cookies),
 * so no browser stays signed in to the authorization server either. Apps they connected keep their access.
 * Returns how many of our sessions ended.
 */
export async function endOtherSessions(tx: Tx, userId: string, keepSessionId: string): Promise<number> {
  const { count } = await tx.webSession.deleteMany({ where: { userId, id: { not: keepSessionId } } });
  // The provider stores its session as JSON; the account id is a cuid, so this match is exact.
  await tx.oidcModel.deleteMany({ where: { type: "Session", payload: { contains: `"accountId":${JSON.stringify(userId)}` } } });
  return count;
}
