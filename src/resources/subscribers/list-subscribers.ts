import type { Db } from "../../db/client.js";
import { isoDateTime, readJson } from "../../db/read-rows.js";
import { Prisma } from "../../generated/sqlite/client.js";
import { afterPositionSql } from "../page-after-sql.js";
import { type Page, type PageRequest, toPage } from "../../http/pagination.js";
import { byTagName, type SubscriberView, subscriberViewSchema } from "./subscriber-view.js";

/**
 * One (subscriber, tag) pair of the page, as the JSON array the statement builds: id, email, first name, last
 * name, created, updated (date-times as stored, or ISO text on PostgreSQL), tag name (null for a subscriber
 * without tags).
 */
type JoinedRow = [string, string, string | null, string | null, string | number, string | number, string | null];

/** The page's subscribers: picked by the (workspaceId, createdAt, id) index, newest first. */
function pageSql(workspaceId: string, page: PageRequest): Prisma.Sql {
  return Prisma.sql`
    SELECT "id", "email", "firstName", "lastName", "createdAt", "updatedAt" FROM "Subscriber"
    WHERE "workspaceId" = ${workspaceId}${afterPositionSql(page.after)}
    ORDER BY "createdAt" DESC, "id" DESC
    LIMIT ${page.limit + 1}`;
}

const TAGS_JOIN = Prisma.sql`
    LEFT JOIN "SubscriberTag" st ON st."subscriberId" = s."id"
    LEFT JOIN "Tag" t ON t."id" = st."tagId"`;

/** PostgreSQL's date-time as the view's ISO text (its JSON would give `…15.35`, no zone and no trailing zero). */
const isoOnPostgres = (column: "createdAt" | "updatedAt") => Prisma.raw(`to_char(s."${column}", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Newest first, ties broken by id: the order of the (workspaceId, createdAt, id) index the page is read by. */
function newestFirst(a: SubscriberView, b: SubscriberView): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * One page of a workspace's subscribers, newest first, with their tag names, in one statement that returns the
 * page as one JSON value (`readJson`: one value for the driver to hand over, not one per row and column). Prisma's
 * builder with `include` runs three statements for this and costs more than the queries themselves.
 */
export async function listSubscribers(db: Db, workspaceId: string, page: PageRequest): Promise<Page<SubscriberView>> {
  const joined =
    (await readJson<JoinedRow[]>(db, (database) =>
      database === "sqlite"
        ? // No ORDER BY inside json_group_array: with one, SQLite 3.44 adds each json_array as a string, and the
          // ordered group_concat that would work costs half of what the JSON saves. The pairs are put in order below.
          Prisma.sql`
            SELECT json_group_array(json_array(s."id", s."email", s."firstName", s."lastName", s."createdAt", s."updatedAt", t."name"))
            FROM (${pageSql(workspaceId, page)}) s${TAGS_JOIN}`
        : Prisma.sql`
            SELECT json_agg(
              json_build_array(s."id", s."email", s."firstName", s."lastName", ${isoOnPostgres("createdAt")}, ${isoOnPostgres("updatedAt")}, t."name")
              ORDER BY s."createdAt" DESC, s."id" DESC)::text
            FROM (${pageSql(workspaceId, page)}) s${TAGS_JOIN}`,
    )) ?? [];
  const byId = new Map<string, SubscriberView>();
  for (const [id, email, firstName, lastName, createdAt, updatedAt, tag] of joined) {
    let view = byId.get(id);
    if (!view) {
      view = {
        id,
        email,
        first_name: firstName,
        last_name: lastName,
        tags: [],
        created_at: isoDateTime(createdAt),
        updated_at: isoDateTime(updatedAt),
      };
      byId.set(id, view);
    }
    if (tag !== null) view.tags.push(tag);
  }
  // ISO date-times of four-digit years sort as text in time order, as the index does; ids are compared as SQLite
  // (bytes) and PostgreSQL (which ordered its aggregate itself) compare these ASCII ids.
  const views = [...byId.values()].sort(newestFirst);
  for (const view of views) if (view.tags.length > 1) view.tags.sort(byTagName);
  // Emitted through the view schema, as every view is (the OpenAPI document is generated from it).
  return toPage(views, page.limit, (view) => subscriberViewSchema.parse(view), (view) => ({ id: view.id, createdAt: new Date(view.created_at) }));
}
