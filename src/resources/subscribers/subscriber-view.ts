import type { Subscriber } from "../../generated/sqlite/client.js";

/** How a subscriber is shown on /v1. */
export interface SubscriberView {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
}

/** The relation to load with every subscriber: just its tag names. */
export const withTagNames = { tags: { select: { tag: { select: { name: true } } } } } as const;

export type SubscriberRow = Pick<Subscriber, "id" | "email" | "firstName" | "lastName" | "createdAt" | "updatedAt"> & {
  tags: { tag: { name: string } }[];
};

/** Maps a subscriber row (loaded `withTagNames`) to its /v1 view; tag names are sorted for a stable output. */
export function toSubscriberView(row: SubscriberRow): SubscriberView {
  return {
    id: row.id,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    tags: row.tags.map((link) => link.tag.name).sort((a, b) => a.localeCompare(b, "en")),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
