import fs from "node:fs";
import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "../generated/sqlite/client.js";
import type { PostgresLimits } from "./postgres.js";

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
export async function createDb(url: string, postgresLimits?: PostgresLimits): Promise<Db> {
  if (databaseKind(url) === "postgres") {
    const { createPostgresDb } = await import("./postgres.js");
    return createPostgresDb(url, postgresLimits);
  }
  const file = sqliteFilePath(url);
  const prisma = new PrismaClient({ adapter: new PrismaLibSQL({ url: `file:${file}` }) });
  // Several processes (server, CLI) share the file: wait for locks instead of failing at once.
  await prisma.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  return prisma;
}
