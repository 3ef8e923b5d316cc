import type { Db } from "./client.js";

/** PostgreSQL support arrives with its own generated client; until then the URL is refused clearly. */
export async function createPostgresDb(_url: string): Promise<Db> {
  throw new Error("PostgreSQL is not supported yet: use a file: DATABASE_URL");
}
