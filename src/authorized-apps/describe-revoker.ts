/** Why the system ended an authorization, in words (Settings, `app list`, the activity list). */
export const REVOKED_REASONS: Record<string, string> = {
  code_replay: "an authorization code was used twice",
  refresh_token_reuse: "a used refresh token was presented again",
  sign_out: "the person signed out",
  client_deleted: "the app was deleted",
  reported_leaked: "its token was reported leaked",
};

const REVOKED_BY: Record<string, string> = { user: "a workspace admin", app: "the app", system: "the system" };

/** "by alice@example.com", "by an operator (command line)", "by the app", "by the system: a used refresh token was presented again"; "" while active. */
export function describeRevoker(app: {
  revoked_by: string | null;
  revoked_by_user_id?: string | null;
  revoked_by_name?: string | null;
  revoked_reason?: string | null;
}): string {
  if (!app.revoked_by) return "";
  if (app.revoked_by === "system") {
    const reason = app.revoked_reason ? (REVOKED_REASONS[app.revoked_reason] ?? app.revoked_reason) : null;
    return `by the system${reason ? `: ${reason}` : ""}`;
  }
  if (app.revoked_by === "app") return "by the app";
  // No person id: an operator used the command line.
  if (app.revoked_by === "user" && !app.revoked_by_user_id && app.revoked_by_name) return `by an operator (${app.revoked_by_name})`;
  return `by ${app.revoked_by_name ?? REVOKED_BY[app.revoked_by] ?? app.revoked_by}`;
}
