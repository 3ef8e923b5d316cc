/** Placeholder until PostgreSQL support lands: refuses clearly instead of half-working. */
export async function migratePostgres(_url: string): Promise<string[]> {
  throw new Error("PostgreSQL is not supported yet: use a file: DATABASE_URL");
}
