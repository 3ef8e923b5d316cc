import type { Db } from "../db/client.js";

/** The models a grant issues; a grant is live while one of them is unexpired and unconsumed. */
export const GRANT_ISSUED_MODELS = ["AccessToken", "RefreshToken", "AuthorizationCode"];

type Tx = Pick<Db, "oidcModel">;

/**
 * Deletes what the provider stored for these grants: the grants themselves and every code and token
 * they issued. The registry calls it when an authorization ends, so nothing issued under it works again.
 */
export async function destroyGrantData(tx: Tx, grantIds: string[]): Promise<void> {
  if (grantIds.length === 0) return;
  await tx.oidcModel.deleteMany({
    where: { OR: [{ grantId: { in: grantIds } }, { type: "Grant", id: { in: grantIds } }] },
  });
}

/** How many of these grants' codes and tokens are still usable. */
export async function countLiveGrantArtifacts(tx: Tx, grantIds: string[], now: Date): Promise<number> {
  if (grantIds.length === 0) return 0;
  return tx.oidcModel.count({
    where: {
      grantId: { in: grantIds },
      type: { in: GRANT_ISSUED_MODELS },
      consumedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
  });
}
