import { z } from "zod";
import type { Db } from "../db/client.js";
import { ConflictError, ValidationError } from "../errors/app-error.js";
import { type Argon2Cost, hashPassword } from "./passwords.js";
import { normalizeEmail } from "./normalize-email.js";
import type { UserView } from "./user-view.js";
import { isUniqueViolation } from "../db/unique-violation.js";

export const MIN_PASSWORD_LENGTH = 8;
// Argon2 accepts any length; the cap only keeps a pasted file from becoming a password.
const MAX_PASSWORD_LENGTH = 1024;

const input = z.strictObject({
  email: z.string().transform(normalizeEmail).pipe(z.email("email must be a valid email address.").max(254)),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(MAX_PASSWORD_LENGTH, `password must be at most ${MAX_PASSWORD_LENGTH} characters.`),
  name: z.string().trim().min(1, "name must not be empty.").max(200, "name must be at most 200 characters.").optional(),
});

export type CreateUserInput = z.input<typeof input>;

/** Creates an account with an Argon2id password hash; an email already in use is `duplicate_email`. */
export async function createUser(db: Db, cost: Argon2Cost, raw: CreateUserInput): Promise<UserView> {
  const parsed = input.safeParse(raw);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0].message);
  const { email, password, name } = parsed.data;

  if (await db.user.findUnique({ where: { email }, select: { id: true } })) throw duplicate();
  const passwordHash = await hashPassword(password, cost);
  try {
    const user = await db.user.create({ data: { email, name: name ?? null, passwordHash } });
    return { id: user.id, email: user.email };
  } catch (err) {
    // Another process created the same email between the check and the insert.
    if (isUniqueViolation(err, "User")) throw duplicate();
    throw err;
  }
}

function duplicate(): ConflictError {
  return new ConflictError("duplicate_email", "A user with this email already exists.");
}
