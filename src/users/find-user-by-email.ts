import type { Db } from "../db/client.js";
import { NotFoundError } from "../errors/app-error.js";
import { normalizeEmail } from "./normalize-email.js";

/** The account with this email (any case), or `not_found`. */
export async function requireUserByEmail(db: Pick<Db, "user">, email: string): Promise<{ id: string; email: string }> {
  const user = await db.user.findUnique({ where: { email: normalizeEmail(email) }, select: { id: true, email: true } });
  if (!user) throw new NotFoundError("user");
  return user;
}
