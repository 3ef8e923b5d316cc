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

const DESCRIBE: Record<string, (d: Details) => string> = {
  "api_key.created": (d) => {
    const access = ACCESS_LABELS[String(d.access)];
    return `Created ${keyLabel(d)}${access ? `, ${access}` : ""}`;
  },
  "api_key.rotated": (d) => `Rotated ${keyLabel(d)}`,
  "api_key.revoked": (d) => `Revoked ${keyLabel(d)}`,
  "api_key.expired": (d) => `${keyLabel(d)} expired`,
  "authorized_app.authorized": (d) => {
    const scopes = permissionList(d.scopes);
    return `${d.renewed === true ? "Re-authorized" : "Authorized"} ${appLabel(d)}${scopes ? ` (${scopes})` : ""}`;
  },
  "authorized_app.revoked": (d) => {
    const reason = text(d.reason) && (REVOKED_REASONS[String(d.reason)] ?? text(d.reason));
    return `Revoked ${appLabel(d)}${reason ? ` (${reason})` : ""}`;
  },
  "membership.added": (d) => `Added ${text(d.email) ?? "a user"} as ${text(d.role) ?? "member"}`,
  "membership.role_changed": (d) => {
    const from = text(d.previous_role);
    return `Changed the role of ${text(d.email) ?? "a user"}${from ? ` from ${from}` : ""} to ${text(d.role) ?? "another role"}`;
  },
  "membership.removed": (d) => `Removed ${text(d.email) ?? "a user"} from the workspace`,
  "workspace.created": (d) => `Created the workspace${text(d.name) ? ` “${String(d.name)}”` : ""}`,
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
