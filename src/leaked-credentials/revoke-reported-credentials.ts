import { digestKey, isWellFormedKey, KEY_PREFIX } from "../api-keys/key-format.js";
import type { LeakDeps } from "./deps.js";
import { endLeakedGrant, findLiveTokenGrants } from "./end-leaked-grant.js";
import type { Leak } from "./leak.js";
import { revokeLeakedKeys } from "./revoke-leaked-key.js";

/**
 * Revokes every live credential among `credentials` (mrk_ keys, OAuth access and refresh tokens) as reported
 * leaked by `reporter`. Holding a credential is enough to use it, so it is enough to kill it. Values of no
 * known shape, unknown, revoked or expired ones are skipped without a trace; nothing tells the caller which
 * was which. Each value is used once even when sent twice.
 */
export async function revokeReportedCredentials(deps: LeakDeps, credentials: string[], reporter: string): Promise<void> {
  const leak = { reason: "reported_leaked", reporter } as const;
  const values = [...new Set(credentials)];
  await revokeLeakedKeys(deps, new Map<string, Leak>(values.filter(isWellFormedKey).map((v) => [digestKey(v), leak])));
  const tokens = values.filter((v) => !v.startsWith(KEY_PREFIX) && deps.tokens.isWellFormed(v));
  for (const grantId of await findLiveTokenGrants(deps, tokens)) await endLeakedGrant(deps, grantId, leak);
}
