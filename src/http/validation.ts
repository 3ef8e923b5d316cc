import type { z } from "zod";
import { ValidationError } from "../errors/app-error.js";

/** Which part of the request is being parsed; named in the error message so the caller knows where to look. */
export type InputPart = "body" | "query";

function describe(issue: z.core.$ZodIssue, part: InputPart): string {
  const path = issue.path.map(String).join(".");
  const where = path ? `${part} field "${path}"` : `request ${part}`;
  return `Invalid ${where}: ${issue.message}`;
}

/**
 * Parses request input with `schema`, or throws a 422 `validation_failed` naming the first problem.
 * Schemas are strict objects, so arrays, `null`, operator objects and unknown keys (`__proto__` included) all fail here.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(describe(result.error.issues[0], part));
}
