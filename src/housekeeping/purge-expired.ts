import type { Db } from "../db/client.js";
import { purgeExpiredOidcModels } from "../oauth/prisma-adapter.js";
import { purgeExpiredSessions } from "../sessions/session-store.js";

/** What one purge removed. */
export interface PurgeResult {
  sessions: number;
  oauthArtifacts: number;
}

/**
 * Deletes expired sign-in sessions and expired OAuth rows (interactions, provider sessions, codes, tokens,
 * grants), in batches. Every node runs it: deleting what is already gone is harmless.
 */
export async function purgeExpired(db: Db, now = new Date()): Promise<PurgeResult> {
  const sessions = await purgeExpiredSessions(db, now);
  const oauthArtifacts = await purgeExpiredOidcModels(db, now);
  return { sessions, oauthArtifacts };
}
