import { ConflictError } from "../../errors/app-error.js";
import { isUniqueViolation } from "../../db/unique-violation.js";

/** Turns a violation of the (workspace, email) unique index into 409 `duplicate_email`; rethrows anything else. */
export function rethrowDuplicateEmail(err: unknown): never {
  if (isUniqueViolation(err, "Subscriber")) {
    throw new ConflictError("duplicate_email", "A subscriber with this email already exists in this workspace.");
  }
  throw err;
}
