/** The stored form of an email (users, subscribers): trimmed and lower-cased, so lookups need no case-insensitive SQL. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
