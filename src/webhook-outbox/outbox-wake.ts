/**
 * Which transactions wrote webhook events, so the delivery worker of this process can be woken right after
 * such a transaction commits (webhooks/wake-after-commit.ts) instead of waiting for its next poll. Keyed by
 * the transaction client object; a WeakSet keeps nothing alive.
 */
const enqueuedIn = new WeakSet<object>();

export function noteEnqueued(client: object): void {
  enqueuedIn.add(client);
}

export function enqueuedWithin(client: object): boolean {
  return enqueuedIn.has(client);
}
