import { type ApiKeyView, toApiKeyView, withKeyRelations } from "../api-keys/api-key-view.js";
import { type AccessScope, requireManaged, visibleWorkspaces } from "../access/access-scope.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ValidationError } from "../errors/app-error.js";

export interface ReassignKeyInput {
  keyId: string;
  /** Whose keys the caller may manage (404 outside it, 403 where only a member). */
  scope: AccessScope;
  /** The user who becomes the key's owner: a member of the key's workspace. */
  ownerId: string;
  actor: Actor;
}

/**
 * Gives a key another owner, typically one whose owner left the workspace. The secret and the key's rights do
 * not change, so no credential cache needs to hear of it; the change is in the Activity list.
 */
export async function reassignKey(db: Db, input: ReassignKeyInput): Promise<ApiKeyView> {
  const row = await db.$transaction(async (tx) => {
    const key = requireManaged(
      input.scope,
      "API key",
      await tx.apiKey.findFirst({ where: { id: input.keyId, ...visibleWorkspaces(input.scope) }, include: withKeyRelations }),
    );
    const owner = await tx.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: key.workspaceId, userId: input.ownerId } },
      include: { user: true },
    });
    if (!owner) throw new ValidationError("Choose a member of this workspace as the new owner.");
    const updated = await tx.apiKey.update({ where: { id: key.id }, data: { createdById: owner.userId }, include: withKeyRelations });
    await recordAudit(tx, {
      workspaceId: key.workspaceId,
      actor: input.actor,
      action: "api_key.reassigned",
      target: { type: "api_key", id: key.id },
      details: { name: key.name, prefix: key.prefix, owner: owner.user.email, previous_owner: key.createdBy?.email ?? null },
    });
    return updated;
  });
  return toApiKeyView(row);
}
