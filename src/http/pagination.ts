import { z } from "zod";
import { ValidationError } from "../errors/app-error.js";
import { parseInput } from "./validation.js";

/** Where a page ends in newest-first order; the cursor encodes it. */
export interface Position {
  createdAt: Date;
  id: string;
}

/** A validated list request: how many items, and after which one. */
export interface PageRequest {
  limit: number;
  after: Position | null;
}

/** The /v1 list envelope. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const LIMIT_MESSAGE = `must be an integer from 1 to ${MAX_LIMIT}`;

/** `?limit=`: 1 to 100 items (every list of /v1 and /api takes the same). */
export const limitParam = z
  .string(LIMIT_MESSAGE)
  .regex(/^[0-9]{1,3}$/, LIMIT_MESSAGE)
  .transform(Number)
  .pipe(z.number().min(1, LIMIT_MESSAGE).max(MAX_LIMIT, LIMIT_MESSAGE));

/** The query of every list request (exported for the OpenAPI document). */
export const pageQuerySchema = z.strictObject({
  limit: limitParam.optional(),
  cursor: z.string("must be a single cursor from next_cursor").max(200, "is not a valid cursor").optional(),
});

// base64url of "<createdAt in ms>:<id>". Opaque to clients; decoded strictly so a tampered cursor is a 422.
const CURSOR_TEXT = /^([0-9]{1,15}):([A-Za-z0-9_-]{1,64})$/;

/** Encodes the position of the last item on a page. */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.createdAt.getTime()}:${position.id}`, "utf8").toString("base64url");
}

/** Decodes a cursor made by encodeCursor, or throws a 422. */
export function decodeCursor(cursor: string): Position {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  const match = CURSOR_TEXT.exec(text);
  if (!match) throw new ValidationError('Invalid query field "cursor": is not a valid cursor');
  // At most 15 digits keeps the timestamp inside the range of a valid Date.
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}

/** Parses `limit` and `cursor` from a list request's query string; any other parameter is a 422. */
export function parsePageQuery(query: unknown): PageRequest {
  const { limit, cursor } = parseInput(pageQuerySchema, query, "query");
  return { limit: limit ?? DEFAULT_LIMIT, after: cursor === undefined ? null : decodeCursor(cursor) };
}

/** The where-clause part selecting rows strictly after `after` in newest-first order (ties broken by id). */
export function afterPosition(after: Position | null) {
  if (!after) return {};
  return {
    OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
  };
}

/** Newest first, with the id as tie-breaker so that the order is total and cursors never skip or repeat. */
export function newestFirst(): [{ createdAt: "desc" }, { id: "desc" }] {
  return [{ createdAt: "desc" }, { id: "desc" }];
}

/** Builds the page from `limit + 1` rows: the extra row only tells whether more exist. */
export function toPage<R extends Position, V>(rows: R[], limit: number, view: (row: R) => V): Page<V>;
/** The same, for rows whose position (for the cursor) `positionOf` gives. */
export function toPage<R, V>(rows: R[], limit: number, view: (row: R) => V, positionOf: (row: R) => Position): Page<V>;
export function toPage<R, V>(rows: R[], limit: number, view: (row: R) => V, positionOf = (row: R) => row as Position): Page<V> {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  const last = items.at(-1);
  return { data: items.map(view), has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(positionOf(last)) : null };
}
