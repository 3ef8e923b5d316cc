import { ConflictError } from "../errors/app-error.js";

// This process's requests that are still running, by idempotency key. Across nodes, the database's unique
// index on the key serializes two such requests, and the later one replays the first's result.
const running = new Set<string>();

/**
 * Runs `work` for an `Idempotency-Key`, or refuses with 409 `idempotency_key_in_flight` while another
 * request with the same key is still being processed (IETF Idempotency-Key draft, §2.7): the client
 * retries later and then gets the first request's result.
 */
export async function onceAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  if (running.has(key)) {
    throw new ConflictError("idempotency_key_in_flight", "A request with this Idempotency-Key is still being processed. Retry shortly.");
  }
  running.add(key);
  try {
    return await work();
  } finally {
    running.delete(key);
  }
}
