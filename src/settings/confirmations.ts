import type { ApiKeyView } from "../api-keys/api-key-view.js";
import { OVERLAP_CHOICES, OVERLAP_LABELS } from "../api-keys/rotation-overlap.js";

/** The texts and form of a confirmation step, shown as a page without JavaScript and as a dialog with it. */
export interface Confirmation {
  title: string;
  message: string;
  button: string;
  action: string;
  /** Hidden form fields besides the CSRF token. */
  fields: Record<string, string>;
  /** A choice to make before confirming (a select); such a confirmation is always a server-rendered page. */
  choice?: { name: string; label: string; options: { value: string; label: string }[] };
}

/** Confirming the rotation or revocation of a key. */
export function keyConfirmation(kind: "rotate" | "revoke", key: ApiKeyView): Confirmation {
  const action = `/settings/api-keys/${encodeURIComponent(key.id)}/${kind}`;
  if (kind === "rotate") {
    return {
      title: `Rotate API key “${key.name}”?`,
      message:
        "A new secret replaces the current one. Until the old secret stops working, both work: update every script or service that uses this key before then." +
        (key.previous_secret_expires_at ? " This also ends the overlap of the secret replaced earlier." : ""),
      button: "Rotate key",
      action,
      // The form remembers which secret it replaces, so a reload cannot rotate a second time.
      fields: { rotated_at: key.rotated_at ?? "" },
      choice: {
        name: "overlap",
        label: "Old secret stops working",
        options: OVERLAP_CHOICES.map((value) => ({ value, label: OVERLAP_LABELS[value] })),
      },
    };
  }
  return {
    title: `Revoke API key “${key.name}”?`,
    message: "The key stops working immediately and cannot be restored. Scripts and services using it will be refused.",
    button: "Revoke key",
    action,
    fields: {},
  };
}

/** Confirming the revocation of an authorized app. */
export function appConfirmation(app: { id: string; app_name: string; workspace_name: string }): Confirmation {
  return {
    title: `Revoke access for “${app.app_name}”?`,
    message: `${app.app_name} loses access to ${app.workspace_name} immediately: its tokens stop working. The data it created stays. Connecting it again will ask for consent again.`,
    button: "Revoke access",
    action: `/settings/authorized-apps/${encodeURIComponent(app.id)}/revoke`,
    fields: {},
  };
}
