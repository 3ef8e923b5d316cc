import { ACCESS_LABELS } from "../api-keys/access-labels.js";
import { REVOKED_REASONS } from "../authorized-apps/describe-revoker.js";
import { permission } from "../scopes/permission-labels.js";

/**
 * Turns one audit event into a sentence for the activity list. The audit log stores machine-readable
 * details; people read "Created API key “CI deploy” (mrk_ab12cd34…), Read and Write".
 */

type Details = Record<string, unknown>;

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function keyLabel(d: Details): string {
  const name = text(d.name);
  const prefix = text(d.prefix);
  return ["API key", name && `“${name}”`, prefix && `(${prefix}…)`].filter(Boolean).join(" ");
}

function appLabel(d: Details): string {
  const name = text(d.app_name) ?? text(d.client_name);
  return name ? `app “${name}”` : "an app";
}

function permissionList(value: unknown): string | null {
  const scopes = Array.isArray(value) ? value.filter((s) => typeof s === "string") : (text(value)?.split(" ") ?? []);
  return scopes.map(permission).join(", ") || null;
}

/** Why a credential was revoked when nobody chose to: " (reported leaked by 203.0.113.9)", " (found in public at …)". */
function leakSuffix(d: Details): string {
  if (d.reason === "reported_leaked") return ` (reported leaked by ${text(d.reporter) ?? "an unknown address"})`;
  if (d.reason === "found_public") return ` (found in public${text(d.url) ? ` at ${String(d.url)}` : ""})`;
  return "";
}

/** A webhook endpoint by the URL the audit recorded (without its query). */
function hookLabel(d: Details): string {
  return text(d.url) ? `webhook endpoint ${String(d.url)}` : "a webhook endpoint";
}

const DESCRIBE: Record<string, (d: Details) => string> = {
  "api_key.created": (d) => {
    const access = d.access === "custom" ? permissionList(d.scopes) : ACCESS_LABELS[String(d.access)];
    return `Created ${keyLabel(d)}${access ? `, ${access}` : ""}`;
  },
  "api_key.rotated": (d) => {
    const until = text(d.previous_expires_at);
    return `Rotated ${keyLabel(d)}${until ? `; the previous secret works until ${until.slice(0, 16).replace("T", " ")} UTC` : ""}`;
  },
  "api_key.updated": (d) => {
    const changes = (d.changes ?? {}) as Record<string, { from?: unknown; to?: unknown }>;
    const parts = [
      changes.name && `renamed from “${String(changes.name.from)}”`,
      changes.scopes && `permissions now ${permissionList(changes.scopes.to) ?? "none"}`,
      changes.ip_allowlist &&
        (Array.isArray(changes.ip_allowlist.to) && changes.ip_allowlist.to.length
          ? `allowed addresses now ${changes.ip_allowlist.to.join(", ")}`
          : "allowed from any address"),
    ].filter(Boolean);
    return `Edited ${keyLabel(d)}${parts.length ? `: ${parts.join("; ")}` : ""}`;
  },
  "api_key.expiring_soon": (d) => {
    const at = text(d.expires_at);
    return `${keyLabel(d)} expires within 7 days${at ? ` (${at.slice(0, 16).replace("T", " ")} UTC)` : ""}`;
  },
  "api_key.revoked": (d) => `Revoked ${keyLabel(d)}${leakSuffix(d)}`,
  "api_key.expired": (d) => `${keyLabel(d)} expired`,
  "api_key.reassigned": (d) => `Reassigned ${keyLabel(d)} to ${text(d.owner) ?? "another member"}${text(d.previous_owner) ? ` (was ${String(d.previous_owner)})` : ""}`,
  "authorized_app.authorized": (d) => {
    const scopes = permissionList(d.scopes);
    return `${d.renewed === true ? "Re-authorized" : "Authorized"} ${appLabel(d)}${scopes ? ` (${scopes})` : ""}`;
  },
  "authorized_app.revoked": (d) => {
    if (d.reason === "reported_leaked") return `Revoked ${appLabel(d)}: its last connection ended${leakSuffix(d)}`;
    const reason = text(d.reason) && (REVOKED_REASONS[String(d.reason)] ?? text(d.reason));
    return `Revoked ${appLabel(d)}${reason ? ` (${reason})` : ""}`;
  },
  "authorized_app.grant_revoked": (d) => `Ended one connection of ${appLabel(d)}${leakSuffix(d)}`,
  "membership.added": (d) => `Added ${text(d.email) ?? "a user"} as ${text(d.role) ?? "member"}`,
  "membership.role_changed": (d) => {
    const from = text(d.previous_role);
    return `Changed the role of ${text(d.email) ?? "a user"}${from ? ` from ${from}` : ""} to ${text(d.role) ?? "another role"}`;
  },
  "membership.removed": (d) => `Removed ${text(d.email) ?? "a user"} from the workspace`,
  "invitation.created": (d) => `Invited ${text(d.email) ?? "someone"} as ${text(d.role) ?? "member"}`,
  "invitation.accepted": (d) =>
    `${text(d.email) ?? "Someone"} joined as ${text(d.role) ?? "member"}${text(d.invited_by) ? `, invited by ${String(d.invited_by)}` : ""}`,
  "invitation.revoked": (d) => `Revoked the invitation of ${text(d.email) ?? "someone"}`,
  "workspace.created": (d) => `Created the workspace${text(d.name) ? ` “${String(d.name)}”` : ""}`,
  "webhook.created": (d) => `Added ${hookLabel(d)}${Array.isArray(d.events) ? ` for ${d.events.join(", ")}` : ""}`,
  "webhook.updated": (d) => `Edited ${hookLabel(d)}${Array.isArray(d.changed) && d.changed.length ? `: ${d.changed.join(", ")}` : ""}`,
  "webhook.deleted": (d) => `Deleted ${hookLabel(d)}`,
  "webhook.secret_rotated": (d) => `Rotated the signing secret of ${hookLabel(d)}; the previous one signs for 24 hours`,
  "webhook.enabled": (d) => `Enabled ${hookLabel(d)} again`,
  "webhook.disabled": (d) => `Disabled ${hookLabel(d)} after repeated failures${text(d.reason) ? `. ${String(d.reason)}` : ""}`,
  "webhook.delivery_resent": (d) => `Resent ${text(d.event_type) ?? "an event"}${text(d.event_id) ? ` (${String(d.event_id)})` : ""} to ${hookLabel(d)}`,
};

/** A human-readable line for an audit action and its details; unknown actions fall back to the action name. */
export function describeEvent(action: string, details: Details): string {
  const describe = DESCRIBE[action];
  return describe ? describe(details) : action.replace(/[._]/g, " ");
}

const ACTOR_KINDS: Record<string, string> = { system: "System", cli: "Command line", app: "An app", api_key: "An API key" };

/** Who did it, for people: the actor's label (an email, an app name) or a name for its kind. */
export function describeActor(actorType: string, actorLabel: string | null): string {
  if (actorType === "system" || actorType === "cli") return ACTOR_KINDS[actorType];
  return actorLabel ?? ACTOR_KINDS[actorType] ?? actorType;
}
