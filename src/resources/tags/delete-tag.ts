import type { Db } from "../../db/client.js";
import { NotFoundError } from "../../errors/app-error.js";

/** Deletes a workspace's tag; the database cascade removes it from every subscriber. */
export async function deleteTag(db: Db, workspaceId: string, id: string): Promise<void> {
  const { count } = await db.tag.deleteMany({ where: { id, workspaceId } });
  if (count === 0) throw new NotFoundError("tag");
}
