import type { Db } from "../../db/client.js";
import { NotFoundError } from "../../errors/app-error.js";

/** Deletes a workspace's subscriber (its tag links go with it; the tags stay). */
export async function deleteSubscriber(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.subscriber.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new NotFoundError("subscriber");
}
