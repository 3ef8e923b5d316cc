import type { Db } from "../../db/client.js";
import { readRows } from "../../db/read-rows.js";
import { Prisma } from "../../generated/sqlite/client.js";
import { afterPositionSql } from "../page-after-sql.js";
import { type Page, type PageRequest, toPage } from "../../http/pagination.js";
import { type TagView, toTagView } from "./tag-view.js";

/** One page of a workspace's tags, newest first: one raw statement on the (workspaceId, createdAt, id) index. */
export async function listTags(db: Db, workspaceId: string, page: PageRequest): Promise<Page<TagView>> {
  const rows = await readRows<{ id: string; name: string; createdAt: Date }>(
    db,
    Prisma.sql`
    SELECT "id", "name", "createdAt" FROM "Tag"
    WHERE "workspaceId" = ${workspaceId}${afterPositionSql(page.after)}
    ORDER BY "createdAt" DESC, "id" DESC
    LIMIT ${page.limit + 1}`,
  );
  return toPage(rows, page.limit, toTagView);
}
