import { z } from "zod";
import type { Tag } from "../../generated/sqlite/client.js";

/** How a tag is shown on /v1; the OpenAPI document is generated from this schema, and toTagView emits through it. */
export const tagViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: "Tag" });

export type TagView = z.output<typeof tagViewSchema>;

/** Maps a tag row to its /v1 view. */
export function toTagView(tag: Pick<Tag, "id" | "name" | "createdAt">): TagView {
  const view: z.input<typeof tagViewSchema> = { id: tag.id, name: tag.name, created_at: tag.createdAt.toISOString() };
  return tagViewSchema.parse(view);
}
