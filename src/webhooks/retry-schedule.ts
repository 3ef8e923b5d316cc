/**
 * When to try again after `failedAttempts` failures, or null when the schedule is exhausted. The schedule
 * (WEBHOOK_RETRY_SCHEDULE) holds the waits, growing roughly exponentially; each is jittered by ±20% so that the
 * deliveries of one outage do not all come back at the same instant.
 */
export function nextAttemptAt(scheduleMs: readonly number[], failedAttempts: number, now: Date, random = Math.random): Date | null {
  const wait = scheduleMs[failedAttempts - 1];
  if (wait === undefined) return null;
  return new Date(now.getTime() + Math.round(wait * (0.8 + 0.4 * random())));
}
