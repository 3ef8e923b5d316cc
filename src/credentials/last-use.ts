import { normalizeAddress } from "../api-keys/ip-allowlist.js";
import type { Db } from "../db/client.js";
import { executeStatement } from "../db/execute-statement.js";
import { Prisma } from "../generated/sqlite/client.js";
import type { Caller } from "./principal.js";

const MAX_USER_AGENT = 256;

/** What a last-use write records besides the time: the client address (normalised) and its user agent (bounded). */
function lastUseDetails(caller: Caller): { lastUsedIp: string | null; lastUsedUserAgent: string | null } {
  const agent = caller.headers["user-agent"];
  return {
    lastUsedIp: normalizeAddress(caller.ip)?.toString() ?? null,
    lastUsedUserAgent: agent ? agent.slice(0, MAX_USER_AGENT) : null,
  };
}

/** The tables whose rows carry a credential's last use: a key's, an authorized app's (for all its tokens). */
const LAST_USE_TABLES = { api_key: Prisma.raw(`"ApiKey"`), authorized_app: Prisma.raw(`"AuthorizedApp"`) };

/**
 * Takes what a last-use write records (the time, and the caller's address and agent) now, and returns the write,
 * run later by the LastUsedWriter: one UPDATE by primary key (executeStatement), a row that is gone changes nothing.
 */
export function lastUseWrite(db: Db, credential: keyof typeof LAST_USE_TABLES, id: string, at: Date, caller: Caller): () => Promise<number> {
  const { lastUsedIp, lastUsedUserAgent } = lastUseDetails(caller);
  const table = LAST_USE_TABLES[credential];
  return () =>
    executeStatement(
      db,
      Prisma.sql`UPDATE ${table} SET "lastUsedAt" = ${at}, "lastUsedIp" = ${lastUsedIp}, "lastUsedUserAgent" = ${lastUsedUserAgent} WHERE "id" = ${id}`,
    );
}
