import type { ApiKeyDeps } from "../api-keys/deps.js";
import { digestKey, isWellFormedKey, KEY_PREFIX } from "../api-keys/key-format.js";
import { OPAQUE_TOKEN_BITS } from "../oauth/provider-configuration.js";
import { endLeakedGrant, findLiveTokenGrants } from "./end-leaked-grant.js";
import { revokeLeakedKeys } from "./revoke-leaked-key.js";

/** Our opaque access and refresh tokens: 256 random bits in base64url. */
const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil(OPAQUE_TOKEN_BITS / 6)}}$`);

/**
 * Revokes every live credential among `credentials` (mrk_ keys, OAuth access and refresh tokens) as reported
 * leaked by `reporter`. Holding a credential is enough to use it, so it is enough to kill it. Values of no
 * known shape, unknown, revoked or expired ones are skipped without a trace; nothing tells the caller which
 * was which. Each value is used once even when sent twice.
 */
export async function revokeReportedCredentials(deps: ApiKeyDeps, credentials: string[], reporter: string): Promise<void> {
  const leak = { reason: "reported_leaked", reporter } as const;
  const values = [...new Set(credentials)];
  await revokeLeakedKeys(deps, values.filter(isWellFormedKey).map(digestKey), leak);
  const tokens = values.filter((v) => !v.startsWith(KEY_PREFIX) && TOKEN_SHAPE.test(v));
  for (const grantId of await findLiveTokenGrants(deps, tokens)) await endLeakedGrant(deps, grantId, leak);
}
