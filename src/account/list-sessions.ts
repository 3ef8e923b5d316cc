import type { Db } from "../db/client.js";
import type { SignedInUser } from "../users/session-user.js";

/** One signed-in session of a person, as My account shows it. Never its cookie value or digest. */
export interface SessionView {
  /** A short, non-secret handle (the first characters of the digest), for telling sessions apart. */
  handle: string;
  current: boolean;
  signed_in_at: string;
  expires_at: string;
  user_agent: string | null;
}

/** The person's unexpired sessions, this one first, then newest first. */
export async function listSessions(db: Db, user: SignedInUser, now = new Date()): Promise<SessionView[]> {
  const rows = await db.webSession.findMany({
    where: { userId: user.id, expiresAt: { gt: now } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows
    .map((s) => ({
      handle: s.id.slice(0, 8),
      current: s.id === user.sessionId,
      signed_in_at: s.createdAt.toISOString(),
      expires_at: s.expiresAt.toISOString(),
      user_agent: s.userAgent,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}
