import { ConflictError } from "../../errors/app-error.js";
import { isUniqueViolation } from "../../db/unique-violation.js";

/** Emails are unique per workspace regardless of case; this is the stored comparison key. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Turns a violation of the (workspace, email) unique index into 409 `duplicate_email`; rethrows anything else. */
export function rethrowDuplicateEmail(err: unknown): never {
  if (isUniqueViolation(err, "Subscriber")) {
    throw new ConflictError("duplicate_email", "A subscriber with this email already exists in this workspace.");
  }
  throw err;
}
