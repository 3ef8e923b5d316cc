import { recordAudit, SYSTEM } from "../audit/audit-log.js";
import { type ChangeDeps, withChanges } from "../change-feed/record-changes.js";
import { type Leak, leakDetails } from "./leak.js";

/**
 * Revokes the live key with this digest (SHA-256 hex of the secret), recording why and where it leaked.
 * A key already revoked, expired or past its expiry is left as it is, so a replayed report changes nothing.
 * The conditional update makes the audit entry appear once, whoever gets there first.
 */
export async function revokeLeakedKey(deps: ChangeDeps, digest: string, leak: Leak): Promise<void> {
  const now = new Date();
  await withChanges(deps, async (tx, recordChange) => {
    const key = await tx.apiKey.findUnique({ where: { digest }, select: { id: true, workspaceId: true, name: true, prefix: true } });
    if (!key) return;
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
    if (count === 0) return;
    await recordAudit(tx, {
      workspaceId: key.workspaceId,
      actor: SYSTEM,
      action: "api_key.revoked",
      target: { type: "api_key", id: key.id },
      details: { name: key.name, prefix: key.prefix, ...leakDetails(leak) },
    });
    await recordChange("api_key", key.id);
  });
}

/**
 * Revokes every live key among these digests, each with its own leak; one query finds which exist, so a batch
 * of unknown values costs one round trip. Returns the digests of keys that exist, live or not.
 */
export async function revokeLeakedKeys(deps: ChangeDeps, leaks: Map<string, Leak>): Promise<Set<string>> {
  if (leaks.size === 0) return new Set();
  const known = await deps.db.apiKey.findMany({ where: { digest: { in: [...leaks.keys()] } }, select: { digest: true } });
  for (const { digest } of known) await revokeLeakedKey(deps, digest, leaks.get(digest)!);
  return new Set(known.map((k) => k.digest));
}
