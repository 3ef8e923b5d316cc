import type { Db } from "../db/client.js";
import type { RawTransaction } from "../db/raw-transaction.js";
import { readRows } from "../db/read-rows.js";
import { Prisma } from "../generated/sqlite/client.js";

/** What the adapter reads of a stored model. */
export interface StoredModel {
  id: string;
  payload: string;
  consumedAt: Date | null;
}

/** The columns an upsert writes (consumedAt is left as it is). */
export interface StoredModelData {
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Date | null;
}

/*
 * The token endpoint's statements as raw, parameterised SQL: Prisma's builder costs several times these
 * single-row statements on the primary key, and a refresh grant runs four of them. Quoted identifiers and
 * `ON CONFLICT … DO UPDATE` read the same on SQLite and PostgreSQL.
 */

/** The model stored under this (stored) id and type, or null. */
export async function findStoredModel(db: Db, id: string, type: string): Promise<StoredModel | null> {
  const rows = await readRows<StoredModel>(
    db,
    Prisma.sql`SELECT "id", "payload", "consumedAt" FROM "OidcModel" WHERE "id" = ${id} AND "type" = ${type}`,
  );
  return rows[0] ?? null;
}

/** Inserts the model or replaces its data, in one statement. */
export async function upsertStoredModel(db: Db, id: string, type: string, data: StoredModelData): Promise<void> {
  await upsertStoredModels(db, [{ id, type, data }]);
}

/** Inserts the models or replaces their data, in one statement (of distinct ids). */
export async function upsertStoredModels(db: Db, rows: { id: string; type: string; data: StoredModelData }[]): Promise<void> {
  await db.$executeRaw(storeModelsStatement(rows));
}

/** The statement that inserts the models or replaces their data (of distinct ids). */
export function storeModelsStatement(rows: { id: string; type: string; data: StoredModelData }[]): Prisma.Sql {
  const values = rows.map(
    ({ id, type, data }) => Prisma.sql`(${id}, ${type}, ${data.payload}, ${data.grantId}, ${data.userCode}, ${data.uid}, ${data.expiresAt})`,
  );
  return Prisma.sql`
    INSERT INTO "OidcModel" ("id", "type", "payload", "grantId", "userCode", "uid", "expiresAt")
    VALUES ${Prisma.join(values)}
    ON CONFLICT ("id", "type") DO UPDATE SET "payload" = excluded."payload", "grantId" = excluded."grantId",
      "userCode" = excluded."userCode", "uid" = excluded."uid", "expiresAt" = excluded."expiresAt"`;
}

/**
 * Marks the model consumed unless it already was: one conditional UPDATE, so of parallel redemptions exactly
 * one sees `true`.
 */
export async function consumeStoredModel(db: Db, id: string, type: string, now: Date): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE "OidcModel" SET "consumedAt" = ${now} WHERE "id" = ${id} AND "type" = ${type} AND "consumedAt" IS NULL`;
  return count > 0;
}

/**
 * Marks each of the models consumed unless it already was, in one statement; returns the `id type` of those it
 * consumed (so of parallel redemptions of one model, in this statement or others, exactly one is returned).
 */
export async function consumeStoredModels(
  tx: RawTransaction,
  models: { id: string; type: string }[],
  now: Date,
): Promise<Set<string>> {
  const which = models.map(({ id, type }) => Prisma.sql`("id" = ${id} AND "type" = ${type})`);
  const rows = await tx.rows<{ id: string; type: string }>(Prisma.sql`
    UPDATE "OidcModel" SET "consumedAt" = ${now}
    WHERE "consumedAt" IS NULL AND (${Prisma.join(which, " OR ")})
    RETURNING "id", "type"`);
  return new Set(rows.map((r) => `${r.id} ${r.type}`));
}
