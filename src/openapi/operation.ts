import type { z } from "zod";
import type { V1Scope } from "../scopes/scopes.js";

/** Who may call an operation: a /v1 Bearer credential (API key or OAuth token), a signed-in session, or anyone. */
export type Auth = "credential" | "session" | "none";

/** One documented response: a description and, unless it has no body, the zod schema its body is emitted through. */
export interface SuccessResponse {
  description: string;
  schema?: z.ZodType;
}

/** A request header the operation reads (besides Authorization and cookies, which the security schemes cover). */
export interface HeaderParameter {
  name: string;
  description: string;
  required?: boolean;
  schema: z.ZodType;
}

/**
 * One route as the OpenAPI document describes it. `query` and `body` are the very zod schemas the route parses
 * its input with; `responses` the schemas its view functions emit through. Error responses come from the
 * surface's common codes (error-codes.ts) plus `errors` (status → codes only this operation produces).
 */
export interface Operation {
  method: "get" | "post" | "patch" | "delete";
  /** OpenAPI path template, e.g. `/v1/subscribers/{id}` (each `{name}` is a string path parameter). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: Auth;
  /** The /v1 scope the route requires (403 `insufficient_scope` without it). */
  scope?: V1Scope;
  query?: z.ZodType;
  body?: z.ZodType;
  headers?: HeaderParameter[];
  responses: Record<number, SuccessResponse>;
  errors?: Record<number, string[]>;
}
