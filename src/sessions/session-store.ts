import crypto from "node:crypto";
import { sha256 } from "../hashing/sha256.js";
import type { Db } from "../db/client.js";
import { deleteInBatches } from "../db/delete-in-batches.js";
import type { SignedInUser } from "../users/session-user.js";

/** The cookie holds a random token; the database keeps only its digest, so a leaked table signs nobody in. */
function digest(token: string): string {
  return sha256(token, "hex");
}

/** Starts a session for a user; returns the cookie value. */
export async function createSession(db: Db, userId: string, ttlHours: number): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.webSession.create({ data: { id: digest(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The signed-in user for a cookie value, or null when the session is unknown or expired. */
export async function findSessionUser(db: Db, token: string | undefined): Promise<SignedInUser | null> {
  if (!token || token.length > 100) return null;
  const id = digest(token);
  const session = await db.webSession.findUnique({ where: { id }, include: { user: true } });
  if (!session || session.expiresAt <= new Date()) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name, sessionId: id };
}

/** Who a cookie value signs in, and since when; null when the session is unknown or expired. */
export async function findSessionSignIn(db: Db, token: string | undefined): Promise<{ userId: string; signedInAt: Date } | null> {
  if (!token || token.length > 100) return null;
  const session = await db.webSession.findUnique({ where: { id: digest(token) }, select: { userId: true, createdAt: true, expiresAt: true } });
  if (!session || session.expiresAt <= new Date()) return null;
  return { userId: session.userId, signedInAt: session.createdAt };
}

/** Ends a session (sign out). Apps the user connected are not affected. */
export async function destroySession(db: Db, sessionId: string): Promise<void> {
  await db.webSession.deleteMany({ where: { id: sessionId } });
}

/** Removes sessions expired at `now`, in batches; returns how many. */
export function purgeExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const expired = { expiresAt: { lte: now } };
  return deleteInBatches(
    (take) => db.webSession.findMany({ where: expired, select: { id: true }, take }),
    async (rows) => (await db.webSession.deleteMany({ where: { ...expired, id: { in: rows.map((r) => r.id) } } })).count,
  );
}
