import type { Db } from "../../db/client.js";
import { afterPosition, newestFirst, type Page, type PageRequest, toPage } from "../../http/pagination.js";
import { type TagView, toTagView } from "./tag-view.js";

/** One page of a workspace's tags, newest first. */
export async function listTags(db: Db, workspaceId: string, page: PageRequest): Promise<Page<TagView>> {
  const rows = await db.tag.findMany({
    where: { workspaceId, ...afterPosition(page.after) },
    orderBy: newestFirst(),
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, toTagView);
}
