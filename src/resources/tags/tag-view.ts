import type { Tag } from "../../generated/sqlite/client.js";

/** How a tag is shown on /v1. */
export interface TagView {
  id: string;
  name: string;
  created_at: string;
}

/** Maps a tag row to its /v1 view. */
export function toTagView(tag: Pick<Tag, "id" | "name" | "createdAt">): TagView {
  return { id: tag.id, name: tag.name, created_at: tag.createdAt.toISOString() };
}
