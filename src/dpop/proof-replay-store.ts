import type { Db } from "../db/client.js";
import { deleteInBatches } from "../db/delete-in-batches.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import { sha256 } from "../hashing/sha256.js";

type ReplayDb = Pick<Db, "dpopProof">;

/**
 * Records that a proof was used, and answers whether it is the first use: the row's primary key decides, so
 * of two nodes seeing the same proof at the same instant exactly one insert succeeds (no read before the
 * write, no race between them). `key` names the proof within its issuer (key thumbprint or client, and jti);
 * only its digest is stored. A row left over from an expired entry gives way to the new one.
 */
export async function recordFirstUse(db: ReplayDb, key: string, expiresAt: Date): Promise<boolean> {
  const id = sha256(key, "base64url");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await db.dpopProof.create({ data: { id, expiresAt } });
      return true;
    } catch (err) {
      if (!isUniqueViolation(err, "DpopProof")) throw err;
    }
    const { count } = await db.dpopProof.deleteMany({ where: { id, expiresAt: { lt: new Date() } } });
    if (count === 0) return false;
  }
  return false;
}

/** Deletes entries whose proofs can no longer be accepted anyway (housekeeping), in batches. */
export function purgeExpiredProofs(db: ReplayDb, now = new Date()): Promise<number> {
  const expired = { expiresAt: { lt: now } };
  return deleteInBatches(
    (take) => db.dpopProof.findMany({ where: expired, select: { id: true }, take }),
    async (rows) => (await db.dpopProof.deleteMany({ where: { ...expired, id: { in: rows.map((r) => r.id) } } })).count,
  );
}
