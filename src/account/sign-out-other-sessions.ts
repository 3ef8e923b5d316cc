import { recordAudit } from "../audit/audit-log.js";
import type { Db } from "../db/client.js";
import type { SignedInUser } from "../users/session-user.js";
import { endOtherSessions } from "./end-other-sessions.js";

/** "Sign out everywhere else": every other session of the person ends; this one stays. Returns how many ended. */
export async function signOutOtherSessions(db: Db, user: SignedInUser): Promise<{ signed_out_sessions: number }> {
  return db.$transaction(async (tx) => {
    const ended = await endOtherSessions(tx, user.id, user.sessionId);
    await recordAudit(tx, {
      workspaceId: null,
      actor: { type: "user", id: user.id, label: user.email },
      action: "user.signed_out_elsewhere",
      target: { type: "user", id: user.id },
      details: { sessions: ended },
    });
    return { signed_out_sessions: ended };
  });
}
