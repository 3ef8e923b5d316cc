import type { ChangeFeed } from "../change-feed/change-feed.js";
import type { Logger } from "../logger.js";
import { CredentialCache } from "./credential-cache.js";
import { LastUsedWriter } from "./last-used-writer.js";

const CACHE_SIZE = 200_000;
/** Unknown credentials (typos, scanners, revoked secrets) get a tenth of the room. */
const NEGATIVE_CACHE_SIZE = 20_000;

/** What both verifiers share in a process: one cache (keys prefixed per verifier) and one last-used writer. */
export interface VerifierState {
  cache: CredentialCache<unknown>;
  lastUsed: LastUsedWriter;
}

export function createVerifierState(feed: ChangeFeed, logger: Logger): VerifierState {
  return { cache: new CredentialCache<unknown>(CACHE_SIZE, feed, NEGATIVE_CACHE_SIZE), lastUsed: new LastUsedWriter(logger) };
}
