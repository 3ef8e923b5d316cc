import { z } from "zod";

// Control characters (NUL, newlines, escapes) have no place in a label and break logs and exports.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** One tag name: 1–50 characters after trimming, no control characters. */
export const tagNameSchema = z
  .string("must be a string")
  .trim()
  .min(1, "must not be empty")
  .max(50, "must be at most 50 characters")
  .regex(NO_CONTROL_CHARACTERS, "must not contain control characters");

/** A subscriber's tag set as sent by clients: at most 50 names. */
export const tagNamesSchema = z.array(tagNameSchema, "must be an array of tag names").max(50, "must hold at most 50 tags");

/** POST /v1/tags */
export const createTagSchema = z.strictObject({ name: tagNameSchema });

/** Tag names are unique per workspace regardless of case; this is the stored comparison key. */
export function normalizeTagName(name: string): string {
  return name.toLowerCase();
}
