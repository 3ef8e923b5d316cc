import { z } from "zod";
import type { Db } from "../db/client.js";
import type { SignedInUser } from "../users/session-user.js";

/**
 * One signed-in session of a person, as My account shows it. Never its cookie value or digest. The OpenAPI
 * document is generated from this schema and listSessions emits through it.
 */
export const sessionViewSchema = z
  .object({
    handle: z.string().describe("A short, non-secret handle (the first characters of the digest), for telling sessions apart."),
    current: z.boolean().describe("Whether this is the session making the request."),
    signed_in_at: z.iso.datetime(),
    expires_at: z.iso.datetime(),
    user_agent: z.string().nullable(),
  })
  .meta({ id: "Session" });

export type SessionView = z.output<typeof sessionViewSchema>;

/** The person's unexpired sessions, this one first, then newest first. */
export async function listSessions(db: Db, user: SignedInUser, now = new Date()): Promise<SessionView[]> {
  const rows = await db.webSession.findMany({
    where: { userId: user.id, expiresAt: { gt: now } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return rows
    .map((s) =>
      sessionViewSchema.parse({
        handle: s.id.slice(0, 8),
        current: s.id === user.sessionId,
        signed_in_at: s.createdAt.toISOString(),
        expires_at: s.expiresAt.toISOString(),
        user_agent: s.userAgent,
      }),
    )
    .sort((a, b) => Number(b.current) - Number(a.current));
}
