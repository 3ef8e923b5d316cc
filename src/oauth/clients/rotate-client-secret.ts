import { type Actor, recordAudit } from "../../audit/audit-log.js";
import { type ChangeDeps, withChanges } from "../../change-feed/record-changes.js";
import { ConflictError, NotFoundError } from "../../errors/app-error.js";
import { digestClientSecret, generateClientSecret } from "./client-secret.js";
import type { IssuedClient } from "./create-client.js";
import { toClientView } from "./client-view.js";

/**
 * Gives a confidential client a new secret. The provider reads the digest on every request, so the old
 * secret fails from the next request on, in every process.
 */
export async function rotateClientSecret(deps: ChangeDeps, target: { id: string; actor: Actor }): Promise<IssuedClient> {
  const clientSecret = generateClientSecret();
  const row = await withChanges(deps, async (tx, recordChange) => {
    const current = await tx.oAuthClient.findUnique({ where: { id: target.id } });
    if (!current) throw new NotFoundError("client");
    if (current.isPublic) throw new ConflictError("client_is_public", "A public client has no secret to rotate.");
    const updated = await tx.oAuthClient.updateMany({
      where: { id: target.id, status: "active" },
      data: { secretDigest: digestClientSecret(clientSecret), secretRotatedAt: new Date() },
    });
    if (updated.count === 0) throw new ConflictError("client_not_active", "A deleted client cannot get a new secret.");
    await recordAudit(tx, {
      workspaceId: null,
      actor: target.actor,
      action: "client.secret_rotated",
      target: { type: "client", id: target.id },
      details: { name: current.name },
    });
    await recordChange("client", target.id);
    return tx.oAuthClient.findUniqueOrThrow({ where: { id: target.id } });
  });
  return { client: toClientView(row), clientSecret };
}
