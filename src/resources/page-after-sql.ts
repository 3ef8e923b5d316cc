import { Prisma } from "../generated/sqlite/client.js";
import type { Position } from "../http/pagination.js";

/**
 * The raw-SQL twin of `afterPosition`: ` AND` rows strictly after `after` in newest-first order (ties broken
 * by id), or nothing for the first page. Dates are bound as parameters, which both databases compare with
 * the stored values the way Prisma's own queries do.
 */
export function afterPositionSql(after: Position | null): Prisma.Sql {
  if (!after) return Prisma.empty;
  return Prisma.sql` AND ("createdAt" < ${after.createdAt} OR ("createdAt" = ${after.createdAt} AND "id" < ${after.id}))`;
}
