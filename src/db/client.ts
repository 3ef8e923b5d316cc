import fs from "node:fs";
import path from "node:path";
import type { Client, Config } from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "../generated/sqlite/client.js";
import { OwnedSqliteClient } from "./sqlite-connection.js";

/** The Prisma client every service receives. Both databases share the same model API. */
export type Db = PrismaClient;

export type DatabaseKind = "sqlite" | "postgres";

/** Tells which database a DATABASE_URL points at. */
export function databaseKind(url: string): DatabaseKind {
  return /^postgres(ql)?:\/\//.test(url) ? "postgres" : "sqlite";
}

/** Resolves `file:./x.db` against the working directory and creates its folder. */
export function sqliteFilePath(url: string): string {
  const file = path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

/** Creates the Prisma client for the configured database. The only place that knows about drivers. */
export async function createDb(url: string): Promise<Db> {
  if (databaseKind(url) === "postgres") {
    const { createPostgresDb } = await import("./postgres.js");
    return createPostgresDb(url);
  }
  const file = sqliteFilePath(url);
  const prisma = new PrismaClient({ adapter: new OwnedConnectionLibSQL({ url: `file:${file}` }) });
  // Opens and configures the connection now, so a locked or unreadable file fails at start, not on a request.
  await prisma.$queryRawUnsafe("SELECT 1");
  return prisma;
}

/** Prisma's libSQL adapter on one owned, fully configured connection (see OwnedSqliteClient). */
class OwnedConnectionLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return new OwnedSqliteClient(config.url);
  }
}
