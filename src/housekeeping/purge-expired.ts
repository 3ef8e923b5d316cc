import { purgeExpiredProofs } from "../dpop/proof-replay-store.js";
import type { Db } from "../db/client.js";
import { purgeExpiredOidcModels } from "../oauth/prisma-adapter.js";
import { purgeExpiredSessions } from "../sessions/session-store.js";

/** What one purge removed. */
export interface PurgeResult {
  sessions: number;
  oauthArtifacts: number;
  /** Replay-store entries of DPoP proofs too old to be accepted anyway. */
  dpopProofs: number;
}

/**
 * Deletes expired sign-in sessions and expired OAuth rows (interactions, provider sessions, codes, tokens,
 * grants) and the DPoP proofs whose iat window has passed, in batches. Every node runs it: deleting what is already gone is harmless.
 */
export async function purgeExpired(db: Db, now = new Date()): Promise<PurgeResult> {
  const sessions = await purgeExpiredSessions(db, now);
  const oauthArtifacts = await purgeExpiredOidcModels(db, now);
  const dpopProofs = await purgeExpiredProofs(db, now);
  return { sessions, oauthArtifacts, dpopProofs };
}
