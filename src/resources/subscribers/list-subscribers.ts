import type { Db } from "../../db/client.js";
import { afterPosition, newestFirst, type Page, type PageRequest, toPage } from "../../http/pagination.js";
import { type SubscriberView, toSubscriberView, withTagNames } from "./subscriber-view.js";

/** One page of a workspace's subscribers, newest first. */
export async function listSubscribers(db: Db, workspaceId: string, page: PageRequest): Promise<Page<SubscriberView>> {
  const rows = await db.subscriber.findMany({
    where: { workspaceId, ...afterPosition(page.after) },
    orderBy: newestFirst(),
    take: page.limit + 1,
    include: withTagNames,
  });
  return toPage(rows, page.limit, toSubscriberView);
}
