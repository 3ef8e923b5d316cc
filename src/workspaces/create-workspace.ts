import { type Actor, recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import { ValidationError } from "../errors/app-error.js";
import { requireUserByEmail } from "../users/find-user-by-email.js";

export const MAX_WORKSPACE_NAME = 100;

export interface CreateWorkspaceInput {
  name: string;
  ownerEmail: string;
  actor: Actor;
}

/** Creates a workspace with its first owner; both events go to the audit log. */
export async function createWorkspace(db: Db, input: CreateWorkspaceInput): Promise<{ id: string; name: string }> {
  const name = input.name.trim();
  if (!name || name.length > MAX_WORKSPACE_NAME) {
    throw new ValidationError(`name must be 1 to ${MAX_WORKSPACE_NAME} characters.`);
  }
  const owner = await requireUserByEmail(db, input.ownerEmail);
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { name } });
    const membership = await tx.membership.create({
      data: { workspaceId: workspace.id, userId: owner.id, role: "owner" },
    });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "workspace.created",
      target: { type: "workspace", id: workspace.id },
      details: { name, owner: owner.email },
    });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "membership.added",
      target: { type: "membership", id: membership.id },
      details: { email: owner.email, role: "owner" },
    });
    return { id: workspace.id, name: workspace.name };
  });
}
