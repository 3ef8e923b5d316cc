import type { ChangeFeed } from "../change-feed/change-feed.js";
import type { Db } from "../db/client.js";

/** What the key use cases need: the database and the feed that invalidates every process's cache. */
export interface ApiKeyDeps {
  db: Db;
  feed: ChangeFeed;
}
