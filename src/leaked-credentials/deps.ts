import type { ChangeDeps } from "../change-feed/record-changes.js";

/**
 * What the leak use cases need: the database, the change feed, and what the authorization server tells about
 * its opaque tokens (their shape, and the id they are stored under), so this folder needs nothing of oauth/.
 */
export interface LeakDeps extends ChangeDeps {
  tokens: { isWellFormed(token: string): boolean; storageId(token: string): string };
}
