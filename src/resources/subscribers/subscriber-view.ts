import { z } from "zod";
import type { Subscriber } from "../../generated/sqlite/client.js";

/**
 * How a subscriber is shown on /v1. The OpenAPI document is generated from this schema and toSubscriberView
 * emits through it, so a field missing here never reaches a client (and never goes undocumented).
 */
export const subscriberViewSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    tags: z.array(z.string()).describe("Tag names, sorted."),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Subscriber" });

export type SubscriberView = z.output<typeof subscriberViewSchema>;

/** The relation to load with every subscriber: just its tag names. */
export const withTagNames = { tags: { select: { tag: { select: { name: true } } } } } as const;

export type SubscriberRow = Pick<Subscriber, "id" | "email" | "firstName" | "lastName" | "createdAt" | "updatedAt"> & {
  tags: { tag: { name: string } }[];
};

/** Maps a subscriber row (loaded `withTagNames`) to its /v1 view; tag names are sorted for a stable output. */
export function toSubscriberView(row: SubscriberRow): SubscriberView {
  const view: z.input<typeof subscriberViewSchema> = {
    id: row.id,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    tags: row.tags.map((link) => link.tag.name).sort((a, b) => a.localeCompare(b, "en")),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
  return subscriberViewSchema.parse(view);
}
