import type { WebhookEventType } from "./webhook-events.js";

/** What the audit writer knows of a change; the same shape as audit/AuditEntry (which imports this folder). */
export interface AuditedChange {
  workspaceId: string | null;
  actor: { type: string; id?: string | null; label?: string | null };
  action: string;
  target: { type: string; id: string };
  details?: Record<string, unknown>;
}

/** The audit actions that are webhook events under another name; the rest of the catalogue keeps the action's. */
const RENAMED: Record<string, WebhookEventType> = {
  "membership.added": "member.added",
  "invitation.accepted": "member.added",
  "membership.removed": "member.removed",
};

const SAME_NAME: readonly string[] = [
  "api_key.created",
  "api_key.rotated",
  "api_key.revoked",
  "api_key.expiring_soon",
  "api_key.expired",
  "authorized_app.authorized",
  "authorized_app.revoked",
];

/** Revocations caused by a leak report (leaked-credentials/leak.ts writes `reason` into the details). */
const LEAK_REASONS: readonly unknown[] = ["reported_leaked", "found_public"];
const LEAK_ACTIONS: readonly string[] = ["api_key.revoked", "authorized_app.grant_revoked"];

/** The webhook events one audited change produces (none for most: sign-ins, settings, webhook management). */
export function eventsOfChange(change: AuditedChange): WebhookEventType[] {
  const types: WebhookEventType[] = [];
  const renamed = RENAMED[change.action];
  if (renamed) types.push(renamed);
  else if (SAME_NAME.includes(change.action)) types.push(change.action as WebhookEventType);
  if (LEAK_ACTIONS.includes(change.action) && LEAK_REASONS.includes(change.details?.reason)) types.push("credential.reported_leaked");
  return types;
}
