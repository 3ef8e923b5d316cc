import type { ApiKeyView } from "../api-keys/api-key-view.js";

/** The texts and form of a confirmation step, shown as a page without JavaScript and as a dialog with it. */
export interface Confirmation {
  title: string;
  message: string;
  button: string;
  action: string;
  /** Hidden form fields besides the CSRF token. */
  fields: Record<string, string>;
}

/** Confirming the rotation or revocation of a key. */
export function keyConfirmation(kind: "rotate" | "revoke", key: ApiKeyView): Confirmation {
  const action = `/settings/api-keys/${encodeURIComponent(key.id)}/${kind}`;
  if (kind === "rotate") {
    return {
      title: `Rotate API key “${key.name}”?`,
      message:
        "A new secret replaces the current one, which stops working immediately. Update every script or service that uses this key.",
      button: "Rotate key",
      action,
      // The form remembers which secret it replaces, so a reload cannot rotate a second time.
      fields: { rotated_at: key.rotated_at ?? "" },
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
