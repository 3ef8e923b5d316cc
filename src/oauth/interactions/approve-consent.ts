import type Provider from "oidc-provider";
import type { AuthorizedAppDeps } from "../../authorized-apps/deps.js";
import { recordApproval } from "../../authorized-apps/record-approval.js";
import { ForbiddenError } from "../../errors/app-error.js";
import type { SignedInUser } from "../../users/session-user.js";
import { administers } from "../../workspaces/administered-workspaces.js";
import type { PendingInteraction } from "./interaction-types.js";
import { requestedScopes } from "./requested-scopes.js";

export interface ConsentDeps extends AuthorizedAppDeps {
  provider: Provider;
  resource: string;
}

/**
 * The person allowed an app into one of their workspaces. The workspace is checked again here (the form
 * can be edited); then a new grant is created for exactly the requested scopes, never an earlier one, and
 * linked to the workspace's registry record. Returns the grant id the provider issues the code for.
 */
export async function approveConsent(
  deps: ConsentDeps,
  request: { interaction: PendingInteraction; user: SignedInUser; workspaceId: string },
): Promise<string> {
  const { interaction, user, workspaceId } = request;
  if (!(await administers(deps.db, user.id, workspaceId))) {
    throw new ForbiddenError("You can only connect apps to workspaces you own or administer.", "workspace_not_administered");
  }
  const clientId = String(interaction.params.client_id);
  const scopes = requestedScopes(interaction, deps.resource);
  const grant = new deps.provider.Grant({ accountId: user.id, clientId });
  if (scopes.protocol.length) grant.addOIDCScope(scopes.protocol.join(" "));
  if (scopes.v1.length) grant.addResourceScope(deps.resource, scopes.v1.join(" "));
  const grantId = await grant.save();
  try {
    await recordApproval(deps, {
      clientId,
      workspaceId,
      userId: user.id,
      scopes: scopes.v1,
      grantId,
      actor: { type: "user", id: user.id, label: user.email },
    });
  } catch (err) {
    await grant.destroy();
    throw err;
  }
  return grantId;
}
