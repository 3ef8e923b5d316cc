/**
 * Whether `err` is a unique-constraint violation on `model` (Prisma P2002). Checked by shape rather than class so it
 * holds for every generated client (SQLite and PostgreSQL). Services rely on the constraint instead of a prior
 * lookup, so two racing requests end as one success and one conflict, never a 500.
 */
export function isUniqueViolation(err: unknown, model: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, meta } = err as { code?: unknown; meta?: { modelName?: unknown } };
  return code === "P2002" && meta?.modelName === model;
}
