import { isWebhookEventType, type WebhookEventType } from "./webhook-events.js";

/** What the audit writer knows of a change; the same shape as audit/AuditEntry (which imports this folder). */
export interface AuditedChange {
  workspaceId: string | null;
  actor: { type: string; id?: string | null; label?: string | null };
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

/**
 * The audit actions that are webhook events under another name. Every other catalogued type is the audit action
 * of the same name (api_key.*, authorized_app.authorized/revoked), so a type added to the catalogue whose action
 * is already audited needs nothing here.
 */
const RENAMED: Record<string, WebhookEventType> = {
  "membership.added": "member.added",
  "invitation.accepted": "member.added",
  "membership.removed": "member.removed",
};

/** Revocations caused by a leak report (leaked-credentials/leak.ts writes `reason` into the details). */
const LEAK_REASONS: readonly unknown[] = ["reported_leaked", "found_public"];
const LEAK_ACTIONS: readonly string[] = ["api_key.revoked", "authorized_app.grant_revoked"];

/** The webhook events one audited change produces (none for most: sign-ins, settings, webhook management). */
export function eventsOfChange(change: AuditedChange): WebhookEventType[] {
  const types: WebhookEventType[] = [];
  const renamed = RENAMED[change.action];
  if (renamed) types.push(renamed);
  else if (isWebhookEventType(change.action)) types.push(change.action);
  if (LEAK_ACTIONS.includes(change.action) && LEAK_REASONS.includes(change.details?.reason)) types.push("credential.reported_leaked");
  return types;
}
