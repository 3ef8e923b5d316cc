import { RateLimitError } from "../errors/app-error.js";

const WINDOW_MS = 15 * 60_000;

/**
 * Slows down password guessing: after `limit` failures in 15 minutes for one account, or ten times that
 * from one address (an office shares one address), further attempts are refused until the window passes.
 * A success clears the account's count.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly limit: number) {}

  /** Throws RateLimitError when the account or the address is locked out. */
  check(email: string, address: string): void {
    const now = Date.now();
    for (const key of this.keys(email, address)) {
      const entry = this.failures.get(key);
      const limit = key.startsWith("address:") ? this.limit * 10 : this.limit;
      if (entry && entry.resetAt > now && entry.count >= limit) {
        throw new RateLimitError((entry.resetAt - now) / 1000);
      }
    }
  }

  recordFailure(email: string, address: string): void {
    const now = Date.now();
    for (const key of this.keys(email, address)) {
      const entry = this.failures.get(key);
      if (!entry || entry.resetAt <= now) this.failures.set(key, { count: 1, resetAt: now + WINDOW_MS });
      else entry.count++;
    }
    if (this.failures.size > 100_000) this.prune(now);
  }

  recordSuccess(email: string): void {
    this.failures.delete(`account:${email.toLowerCase()}`);
  }

  private keys(email: string, address: string): string[] {
    return [`account:${email.toLowerCase()}`, `address:${address}`];
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
  }
}
