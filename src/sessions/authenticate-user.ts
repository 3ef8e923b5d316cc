import type { Db } from "../db/client.js";
import { normalizeEmail } from "../users/normalize-email.js";
import { type Argon2Cost, verifyPassword } from "../users/passwords.js";

/**
 * Checks an email and password. Unknown emails cost the same Argon2 verification as wrong passwords,
 * and both return null, so the answer never tells whether an account exists.
 */
export async function authenticateUser(
  db: Db,
  email: string,
  password: string,
  cost: Argon2Cost,
): Promise<{ id: string; email: string } | null> {
  const user = await db.user.findUnique({ where: { email: normalizeEmail(email) } });
  const ok = await verifyPassword(user?.passwordHash ?? null, password, cost);
  return ok && user ? { id: user.id, email: user.email } : null;
}
