import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/postgres/client.js";
import type { Db } from "./client.js";

/**
 * The Prisma client for PostgreSQL. It is generated from prisma/postgres/schema.prisma, which
 * scripts/sync-schemas.ts derives from the SQLite schema, so both clients expose the same models and API.
 */
export async function createPostgresDb(url: string): Promise<Db> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  // Fail at start, not on the first request, when the server is unreachable or the credentials are wrong
  // ($connect does not touch the server when a driver adapter owns the connections).
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch (err) {
    await prisma.$disconnect();
    throw err;
  }
  return prisma as unknown as Db;
}
