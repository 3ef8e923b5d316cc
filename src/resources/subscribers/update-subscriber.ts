import type { Db } from "../../db/client.js";
import { NotFoundError } from "../../errors/app-error.js";
import { ensureTags } from "../tags/ensure-tags.js";
import type { UpdateSubscriberInput } from "./schemas.js";
import { type SubscriberView, toSubscriberView, withTagNames } from "./subscriber-view.js";
import { normalizeEmail } from "../../users/normalize-email.js";
import { rethrowDuplicateEmail } from "./unique-email.js";

/**
 * Changes the fields that were sent: `null` clears a name, `tags` replaces the whole tag set (creating unknown
 * names). The subscriber must belong to the workspace, else 404.
 */
export async function updateSubscriber(
  db: Db,
  workspaceId: string,
  id: string,
  input: UpdateSubscriberInput,
): Promise<SubscriberView> {
  const row = await db
    .$transaction(async (tx) => {
      const found = await tx.subscriber.findFirst({ where: { id, workspaceId }, select: { id: true } });
      if (!found) throw new NotFoundError("subscriber");
      const tagIds = input.tags && (await ensureTags(tx, workspaceId, input.tags));
      return tx.subscriber.update({
        where: { id: found.id },
        data: {
          ...(input.email !== undefined && { email: input.email, emailNormalized: normalizeEmail(input.email) }),
          ...(input.first_name !== undefined && { firstName: input.first_name }),
          ...(input.last_name !== undefined && { lastName: input.last_name }),
          ...(tagIds && { tags: { deleteMany: {}, create: tagIds.map((tagId) => ({ tagId })) } }),
          // Set explicitly: a change to the tag set alone is a nested write, which would not bump @updatedAt.
          updatedAt: new Date(),
        },
        include: withTagNames,
      });
    })
    .catch(rethrowDuplicateEmail);
  return toSubscriberView(row);
}
