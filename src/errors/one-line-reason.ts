/**
 * Why something failed, in one line for an operator: the first line of the error's message and its code,
 * with any password in a URL masked. Start-up failures print this instead of a stack trace.
 */
export function oneLineReason(err: unknown): string {
  // A connection to a name with several addresses (localhost: ::1 and 127.0.0.1) fails with all of them.
  const first: unknown = err instanceof AggregateError && err.errors.length ? (err.errors as unknown[])[0] : err;
  const cause = first instanceof Error && first.cause instanceof Error && !first.message.trim() ? first.cause : first;
  const message = cause instanceof Error ? cause.message : String(cause);
  let line =
    message
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean) ?? "unknown error";
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string" && code && !line.includes(code)) line += ` (${code})`;
  return maskUrlPasswords(line);
}

/** `postgres://user:secret@host` → `postgres://user:***@host`. */
export function maskUrlPasswords(text: string): string {
  return text.replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]*@/g, "$1***@");
}
