import type { ChangeDeps } from "../change-feed/record-changes.js";

/** What the key use cases need: the database and the feed that invalidates every process's cache. */
export type ApiKeyDeps = ChangeDeps;
