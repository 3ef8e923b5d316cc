import { z } from "zod";
import { tagNamesSchema } from "../tags/schemas.js";

const email = z
  .string("must be a string")
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be a valid email address"));

// null clears a name; an empty or blank string is refused so that "no name" has one spelling.
const personName = z
  .string("must be a string or null")
  .trim()
  .min(1, "must not be empty (send null to clear it)")
  .max(100, "must be at most 100 characters")
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
  .nullable();

/** POST /v1/subscribers */
export const createSubscriberSchema = z.strictObject({
  email,
  first_name: personName.optional(),
  last_name: personName.optional(),
  tags: tagNamesSchema.optional(),
});

/** PATCH /v1/subscribers/:id: any of the create fields, at least one; `tags` replaces the whole set. */
export const updateSubscriberSchema = z
  .strictObject({
    email: email.optional(),
    first_name: personName.optional(),
    last_name: personName.optional(),
    tags: tagNamesSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "send at least one of email, first_name, last_name, tags");

export type CreateSubscriberInput = z.output<typeof createSubscriberSchema>;
export type UpdateSubscriberInput = z.output<typeof updateSubscriberSchema>;
