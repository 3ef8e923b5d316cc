import type { Db } from "../../db/client.js";
import { ConflictError } from "../../errors/app-error.js";
import { isUniqueViolation } from "../../db/unique-violation.js";
import { normalizeTagName } from "./schemas.js";
import { type TagView, toTagView } from "./tag-view.js";

/** Creates a tag; a name already used in the workspace (in any case) is a 409 `duplicate_tag`. */
export async function createTag(db: Db, workspaceId: string, input: { name: string }): Promise<TagView> {
  try {
    const tag = await db.tag.create({
      data: { workspaceId, name: input.name, nameNormalized: normalizeTagName(input.name) },
    });
    return toTagView(tag);
  } catch (err) {
    if (isUniqueViolation(err, "Tag")) {
      throw new ConflictError("duplicate_tag", "A tag with this name already exists in this workspace.");
    }
    throw err;
  }
}
