import { z } from "zod";

/** `{ "data": item }`: every single-item /v1 and /api success body. */
export function dataOf(schema: z.ZodType) {
  return z.object({ data: schema });
}

/** `{ "data": [item] }`: the unpaged /api lists. */
export function listOf(schema: z.ZodType) {
  return z.object({ data: z.array(schema) });
}

/** The paged list envelope of /v1 and /api/activity (see resources/pagination.ts). */
export function pageOf(schema: z.ZodType) {
  return z.object({
    data: z.array(schema),
    has_more: z.boolean(),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
  });
}

/** The error envelope of /v1 and /api (rendered by errors/render.ts). */
export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      type: z.enum(["authentication_error", "permission_error", "invalid_request_error", "rate_limit_error", "api_error"]),
      code: z.string(),
      message: z.string(),
    }),
  })
  .meta({ id: "Error" });
