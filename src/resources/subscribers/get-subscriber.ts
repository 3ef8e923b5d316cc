import type { Db } from "../../db/client.js";
import { NotFoundError } from "../../errors/app-error.js";
import { type SubscriberView, toSubscriberView, withTagNames } from "./subscriber-view.js";

/** One subscriber of the workspace; any other id (missing, malformed, another workspace's) is the same 404. */
export async function getSubscriber(db: Db, workspaceId: string, id: string): Promise<SubscriberView> {
  const row = await db.subscriber.findFirst({ where: { id, workspaceId }, include: withTagNames });
  if (!row) throw new NotFoundError("subscriber");
  return toSubscriberView(row);
}
