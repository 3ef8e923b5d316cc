import type { Db } from "../../db/client.js";
import { readRows } from "../../db/read-rows.js";
import { Prisma } from "../../generated/sqlite/client.js";
import { afterPositionSql } from "../page-after-sql.js";
import { type Page, type PageRequest, toPage } from "../../http/pagination.js";
import { byTagName, type SubscriberView, subscriberViewSchema } from "./subscriber-view.js";

/** One row per (subscriber, tag) pair; `tag` is null for a subscriber without tags. */
interface JoinedRow {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** ISO text (read with `dates: "iso"`), as the view shows it. */
  createdAt: string;
  updatedAt: string;
  tag: string | null;
}

/**
 * One page of a workspace's subscribers, newest first, with their tag names, in one statement: the page is
 * picked by the (workspaceId, createdAt, id) index in a subquery and joined to its tags. Prisma's builder
 * with `include` runs three statements for this and costs more than the queries themselves.
 */
export async function listSubscribers(db: Db, workspaceId: string, page: PageRequest): Promise<Page<SubscriberView>> {
  const joined = await readRows<JoinedRow>(
    db,
    Prisma.sql`
    SELECT s."id", s."email", s."firstName", s."lastName", s."createdAt", s."updatedAt", t."name" AS "tag"
    FROM (
      SELECT "id", "email", "firstName", "lastName", "createdAt", "updatedAt" FROM "Subscriber"
      WHERE "workspaceId" = ${workspaceId}${afterPositionSql(page.after)}
      ORDER BY "createdAt" DESC, "id" DESC
      LIMIT ${page.limit + 1}
    ) s
    LEFT JOIN "SubscriberTag" st ON st."subscriberId" = s."id"
    LEFT JOIN "Tag" t ON t."id" = st."tagId"
    ORDER BY s."createdAt" DESC, s."id" DESC`,
    { dates: "iso" },
  );
  // Each subscriber's view is built as its rows go by (no intermediate row objects).
  const views: SubscriberView[] = [];
  let current: SubscriberView | undefined;
  for (const row of joined) {
    if (current?.id !== row.id) {
      current = {
        id: row.id,
        email: row.email,
        first_name: row.firstName,
        last_name: row.lastName,
        tags: [],
        created_at: row.createdAt,
        updated_at: row.updatedAt,
      };
      views.push(current);
    }
    if (row.tag !== null) current.tags.push(row.tag);
  }
  for (const view of views) if (view.tags.length > 1) view.tags.sort(byTagName);
  // Emitted through the view schema, as every view is (the OpenAPI document is generated from it).
  return toPage(views, page.limit, (view) => subscriberViewSchema.parse(view), (view) => ({ id: view.id, createdAt: new Date(view.created_at) }));
}
