import { z } from "zod";
import type { Tag } from "../../generated/sqlite/client.js";

/**
 * How a tag is shown on /v1; the OpenAPI document is generated from this schema. toTagView builds an object
 * literal of its output type (a field the schema lacks does not compile) without parsing it at run time; the
 * integration suite validates every /v1 response against the document (test/support/contract-setup.ts).
 */
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
  return { id: tag.id, name: tag.name, created_at: tag.createdAt.toISOString() };
}
