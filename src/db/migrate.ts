import { databaseKind } from "./client.js";
import { migrateSqlite } from "./migrate-sqlite.js";

/** Applies pending migrations for whichever database DATABASE_URL names; returns the names applied. */
export async function migrate(url: string): Promise<string[]> {
  if (databaseKind(url) === "postgres") {
    const { migratePostgres } = await import("./migrate-postgres.js");
    return migratePostgres(url);
  }
  return migrateSqlite(url);
}
