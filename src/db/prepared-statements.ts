import crypto from "node:crypto";

/**
 * Beyond this many distinct texts no new one is prepared. The hand-written reads have a few fixed texts each;
 * the cap keeps a future caller that builds texts from data (an `IN` list of any length) from filling every
 * connection's memory on the server with statements run once.
 */
export const MAX_PREPARED_TEXTS = 128;

/**
 * A prepared statement whose result columns change (a `SELECT *` after a migration added a column) fails on
 * PostgreSQL with "cached plan must not change result type" until its connection closes. Statements that name
 * their columns, as every hand-written one does, are unaffected; one that selects or returns `*` is left unprepared.
 */
const SELECTS_ALL_COLUMNS = /\b(?:SELECT\s+(?:DISTINCT\s+)?(?:"?\w+"?\.)?|RETURNING\s+)\*/i;

/** Text of each statement to prepare → its name: the same on every connection and process, since it is the text's digest. */
const names = new Map<string, string>();

/**
 * Asks PostgreSQL to keep this statement prepared on every connection that runs it. The reads served most (a key
 * or token check on a cache miss, a page of subscribers or tags, the token endpoint's reads) are otherwise parsed
 * and planned again on every execution: a key check's join is planned in about as long as it runs. A named
 * statement is parsed once per connection, and after five executions PostgreSQL settles on a generic plan and
 * stops planning it at all. Prisma's pg adapter sends every statement unnamed and has no way to ask otherwise, so
 * the pool's client names the texts registered here (preparing-pg-client.ts). On SQLite this is never called.
 */
export function prepareOnPostgres(text: string): void {
  if (names.size >= MAX_PREPARED_TEXTS || names.has(text) || SELECTS_ALL_COLUMNS.test(text)) return;
  names.set(text, `wa_${crypto.hash("sha256", text).slice(0, 32)}`);
}

/** The name a registered text is prepared under, or undefined. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}
