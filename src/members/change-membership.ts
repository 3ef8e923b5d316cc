import { z } from "zod";
import { revokeKeyInTransaction } from "../api-keys/revoke-key-in-transaction.js";
import { type Actor, recordAudit } from "../audit/audit-log.js";
import { endAuthorizations } from "../authorized-apps/end-authorizations.js";
import { type ChangeDeps, type Tx, withChanges } from "../change-feed/record-changes.js";
import { NotFoundError, ValidationError } from "../errors/app-error.js";
import { normalizeEmail } from "../users/normalize-email.js";
import { lockOwners, refuseLastOwner } from "../workspaces/owners.js";
import { type Role, ROLES } from "../workspaces/roles.js";
import { credentialsLeftBehind } from "./left-behind.js";
import { isOffboarding, requireMayChange } from "./member-rules.js";

/** Which of the credentials a member leaves behind to revoke: chosen ids, or every one ("all"). */
export type RevokeSelection = { apiKeyIds: string[]; authorizedAppIds: string[] } | "all";

export interface MembershipChange {
  workspaceId: string;
  /** The membership, by id (Settings, /api) or by the member's email (CLI). */
  target: { membershipId: string } | { email: string };
  change: { kind: "remove" } | { kind: "role"; role: Role };
  revoke: RevokeSelection;
  /** The acting person (their role is checked in the transaction), or the command-line operator (userId null). */
  by: { actor: Actor; userId: string | null };
}

/** What /api and the CLI answer for a role change or a removal; the OpenAPI document is generated from it. */
export const membershipChangeResultSchema = z
  .object({
    id: z.string().describe("The membership's id."),
    status: z.enum(["active", "removed"]),
    role: z.enum(ROLES).nullable().describe("The new role; null once removed."),
    revoked_api_keys: z.array(z.string()).describe("Ids of the keys revoked with the change."),
    revoked_authorized_apps: z.array(z.string()).describe("Ids of the authorized apps revoked with the change."),
  })
  .meta({ id: "MembershipChange" });

export type MembershipChangeResult = z.output<typeof membershipChangeResultSchema>;

export const NOTHING_TO_REVOKE = { apiKeyIds: [], authorizedAppIds: [] };

async function findTarget(tx: Tx, workspaceId: string, target: MembershipChange["target"]) {
  const where =
    "membershipId" in target
      ? { id: target.membershipId, workspaceId }
      : { workspaceId, user: { email: normalizeEmail(target.email) } };
  const membership = await tx.membership.findFirst({ where, include: { user: true } });
  if (!membership) throw new NotFoundError("workspace member");
  return membership;
}

/** The chosen ids, which must all be among what the member leaves behind (this form cannot revoke anything else). */
function selected(available: { id: string }[], chosen: string[] | "all", what: string): string[] {
  if (chosen === "all") return available.map((c) => c.id);
  const ids = new Set(available.map((c) => c.id));
  const unknown = chosen.find((id) => !ids.has(id));
  if (unknown !== undefined) throw new ValidationError(`The ${what} ${unknown} is not one this member leaves behind.`);
  return [...new Set(chosen)];
}

/**
 * Removes a member, or changes their role, and revokes the chosen keys and apps they leave behind, all in one
 * transaction: either everything happens, with its Activity entries naming who did it, or nothing does. Rules:
 * a workspace keeps an owner; only owners make or remove owners; only a removal or a demotion to member
 * revokes credentials. Every process drops the revoked credentials from its cache right after the commit.
 */
export async function changeMembership(deps: ChangeDeps, input: MembershipChange): Promise<MembershipChangeResult> {
  const now = new Date();
  return withChanges(deps, async (tx, recordChange) => {
    const workspace = await tx.workspace.findUnique({ where: { id: input.workspaceId }, select: { id: true } });
    if (!workspace) throw new NotFoundError("workspace");
    const owners = await lockOwners(tx, workspace.id);
    const membership = await findTarget(tx, workspace.id, input.target);
    const newRole = input.change.kind === "role" ? input.change.role : null;
    if (input.by.userId !== null) {
      const acting = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: workspace.id, userId: input.by.userId } } });
      requireMayChange(acting?.role ?? null, membership.role, newRole);
    }
    const unchanged = newRole === membership.role;
    if (!unchanged && newRole !== "owner") refuseLastOwner(owners, membership.role);

    const offboarding = !unchanged && isOffboarding(membership.role, newRole);
    const revoke = input.revoke === "all" ? { apiKeyIds: "all" as const, authorizedAppIds: "all" as const } : input.revoke;
    if (!offboarding && input.revoke !== "all" && (revoke.apiKeyIds.length || revoke.authorizedAppIds.length)) {
      throw new ValidationError("Keys and apps are revoked only when a member is removed or demoted to member.");
    }
    const left = offboarding ? await credentialsLeftBehind(tx, workspace.id, membership.userId, now) : { apiKeys: [], authorizedApps: [] };
    const keyIds = selected(left.apiKeys, revoke.apiKeyIds, "API key");
    const appIds = selected(left.authorizedApps, revoke.authorizedAppIds, "authorized app");

    if (!unchanged) {
      if (newRole === null) await tx.membership.delete({ where: { id: membership.id } });
      else await tx.membership.update({ where: { id: membership.id }, data: { role: newRole } });
      const counts = {
        ...(keyIds.length ? { revoked_api_keys: keyIds.length } : {}),
        ...(appIds.length ? { revoked_authorized_apps: appIds.length } : {}),
        ...(left.apiKeys.length > keyIds.length ? { kept_api_keys: left.apiKeys.length - keyIds.length } : {}),
        ...(left.authorizedApps.length > appIds.length ? { kept_authorized_apps: left.authorizedApps.length - appIds.length } : {}),
      };
      await recordAudit(tx, {
        workspaceId: workspace.id,
        actor: input.by.actor,
        action: newRole === null ? "membership.removed" : "membership.role_changed",
        target: { type: "membership", id: membership.id },
        details:
          newRole === null
            ? { email: membership.user.email, role: membership.role, ...counts }
            : { email: membership.user.email, role: newRole, previous_role: membership.role, ...counts },
      });
    }
    for (const id of keyIds) await revokeKeyInTransaction(tx, recordChange, { id, workspaceId: { in: [workspace.id] } }, input.by.actor, now);
    await endAuthorizations(tx, recordChange, appIds, { by: "user", actor: input.by.actor, now });
    return membershipChangeResultSchema.parse({
      id: membership.id,
      status: newRole === null ? "removed" : "active",
      role: newRole ?? null,
      revoked_api_keys: keyIds,
      revoked_authorized_apps: appIds,
    });
  });
}
