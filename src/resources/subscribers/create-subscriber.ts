import type { Db } from "../../db/client.js";
import { ensureTags } from "../tags/ensure-tags.js";
import type { CreateSubscriberInput } from "./schemas.js";
import { type SubscriberView, toSubscriberView, withTagNames } from "./subscriber-view.js";
import { normalizeEmail } from "../../users/normalize-email.js";
import { rethrowDuplicateEmail } from "./unique-email.js";

/** Creates a subscriber with its tags (unknown tag names are created) in one transaction. */
export async function createSubscriber(
  db: Db,
  workspaceId: string,
  input: CreateSubscriberInput,
): Promise<SubscriberView> {
  const row = await db
    .$transaction(async (tx) => {
      const tagIds = await ensureTags(tx, workspaceId, input.tags ?? []);
      return tx.subscriber.create({
        data: {
          workspaceId,
          email: input.email,
          emailNormalized: normalizeEmail(input.email),
          firstName: input.first_name ?? null,
          lastName: input.last_name ?? null,
          tags: { create: tagIds.map((tagId) => ({ tagId })) },
        },
        include: withTagNames,
      });
    })
    .catch(rethrowDuplicateEmail);
  return toSubscriberView(row);
}
