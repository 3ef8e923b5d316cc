import type { ChangeFeed } from "../change-feed/change-feed.js";
import type { Metrics } from "./metrics.js";

/** Counts the credential changes this node applies, the cache resets, and how old log entries are when read. */
export function instrumentChangeFeed(feed: ChangeFeed, metrics: Metrics): void {
  feed.onChange((kind, _targetId, source) => metrics.credentialChanges.inc({ kind, source }));
  feed.onReset(() => metrics.credentialCacheResets.inc());
  feed.onLag((ageMs) => metrics.changeFeedLag.observe(Math.max(0, ageMs) / 1000));
}
