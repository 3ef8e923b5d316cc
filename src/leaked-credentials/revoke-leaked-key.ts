import type { ApiKeyDeps } from "../api-keys/deps.js";
import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { type Leak, leakDetails } from "./leak.js";

/**
 * Revokes the live key with this digest (SHA-256 hex of the secret), recording why and where it leaked.
 * Returns whether a key with this digest exists at all (live or not), which the secret-scanning answer
 * reports; a key already revoked, expired or past its expiry is left as it is, so a replayed report
 * changes nothing. The conditional update makes the audit entry appear once, whoever gets there first.
 */
export async function revokeLeakedKey(deps: ApiKeyDeps, digest: string, leak: Leak): Promise<{ exists: boolean }> {
  const now = new Date();
  const outcome = await deps.db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { digest }, select: { id: true, workspaceId: true, name: true, prefix: true } });
    if (!key) return { exists: false, revokedId: null };
    const { count } = await tx.apiKey.updateMany({
      where: { id: key.id, status: "active", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      data: {
        status: "revoked",
        revokedAt: now,
        revokedReason: leak.reason,
        revokedUrl: leak.reason === "found_public" && leak.url ? leak.url : null,
        revokedReporter: leak.reason === "reported_leaked" ? leak.reporter : null,
      },
    });
    if (count === 0) return { exists: true, revokedId: null };
    await recordAudit(tx, {
      workspaceId: key.workspaceId,
      actor: SYSTEM,
      action: "api_key.revoked",
      target: { type: "api_key", id: key.id },
      details: { name: key.name, prefix: key.prefix, ...leakDetails(leak) },
    });
    await tx.credentialEvent.create({ data: { kind: "api_key", targetId: key.id } });
    return { exists: true, revokedId: key.id };
  });
  if (outcome.revokedId) deps.feed.emit("api_key", outcome.revokedId);
  return { exists: outcome.exists };
}

/**
 * Revokes every live key among these digests (see revokeLeakedKey); one query finds which exist, so a batch of
 * unknown values costs one round trip. Returns the digests of keys that exist, live or not.
 */
export async function revokeLeakedKeys(deps: ApiKeyDeps, digests: string[], leak: Leak): Promise<Set<string>> {
  const unique = [...new Set(digests)];
  if (unique.length === 0) return new Set();
  const known = await deps.db.apiKey.findMany({ where: { digest: { in: unique } }, select: { digest: true } });
  for (const { digest } of known) await revokeLeakedKey(deps, digest, leak);
  return new Set(known.map((k) => k.digest));
}
