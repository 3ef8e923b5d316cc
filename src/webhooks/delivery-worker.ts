import type { Logger } from "../logger.js";
import { claimDueDeliveries, type ClaimedDelivery, recordAttempt } from "./delivery-claims.js";
import type { WebhookDeps } from "./deps.js";
import { nextAttemptAt } from "./retry-schedule.js";
import { SecretUnreadableError } from "./secret-box.js";
import { type AttemptResult, sendWebhook } from "./send-webhook.js";
import { signatureHeaders } from "./sign-webhook.js";

export interface WorkerSettings {
  databaseUrl: string;
  pollIntervalMs: number;
  leaseMs: number;
  timeoutMs: number;
  concurrency: number;
  retryScheduleMs: readonly number[];
  allowPrivateTargets: boolean;
}

/** The longest pause between claims while the database is unreachable. */
const MAX_BACKOFF_MS = 30_000;

/**
 * Sends the outbox, in every server process (not the CLI). It claims due deliveries (delivery-claims.ts), sends
 * each outside any transaction with at most `concurrency` in flight, and records the outcome. It claims when woken
 * (this process committed an event: wake-after-commit.ts) and on a poll, which finds other nodes' events,
 * retries and leases that ran out. A database error makes it wait longer between claims, never stop.
 */
export class DeliveryWorker {
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #claiming: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #failures = 0;

  constructor(
    private readonly deps: WebhookDeps,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Claims now (or right after the claim in progress): something was just committed to the outbox. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#claiming) this.#again = true;
    else
      this.#claiming = this.#claimRound().finally(() => {
        this.#claiming = undefined;
      });
  }

  /** Stops claiming, then waits for the attempts in flight to be sent and recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#claiming;
    await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), delayMs);
    this.#timer.unref();
  }

  async #claimRound(): Promise<void> {
    try {
      do {
        this.#again = false;
        const free = this.settings.concurrency - this.#inFlight.size;
        if (free <= 0) break;
        const claimed = await claimDueDeliveries(this.deps.db, this.settings.databaseUrl, free, this.settings.leaseMs);
        this.#failures = 0;
        for (const delivery of claimed) {
          this.#track(this.#deliver(delivery).catch((err: unknown) => this.logger.error({ err, delivery: delivery.id }, "webhook attempt failed unexpectedly")));
        }
        // A full batch means more may be due: claim again as soon as a slot frees (see #track).
        if (claimed.length === free) this.#again = true;
      } while (this.#again && !this.#stopped && this.#inFlight.size < this.settings.concurrency);
    } catch (err) {
      this.#failures++;
      this.logger.warn({ err, failures: this.#failures }, "webhook delivery worker could not claim deliveries; backing off");
    } finally {
      const backoff = this.#failures ? Math.min(MAX_BACKOFF_MS, this.settings.pollIntervalMs * 2 ** this.#failures) : this.settings.pollIntervalMs;
      // Jittered, so nodes started together do not claim in lockstep.
      this.#schedule(backoff * (0.75 + Math.random() / 2));
    }
  }

  #track(attempt: Promise<void>): void {
    this.#inFlight.add(attempt);
    void attempt.finally(() => {
      this.#inFlight.delete(attempt);
      if (this.#again) this.wake();
    });
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    const result = await this.#send(delivery, startedAt);
    const retryAt = result.ok ? null : nextAttemptAt(this.settings.retryScheduleMs, delivery.attemptCount + 1, new Date());
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await recordAttempt(this.deps.db, delivery, { result, startedAt, retryAt });
        if (!recorded) this.logger.warn({ delivery: delivery.id }, "webhook delivery lease lost before its attempt was recorded");
        return;
      } catch (err) {
        // The lease still protects the row for a while; past that, another claim sends it again (at-least-once).
        if (attempt >= 3 || this.#stopped) {
          this.logger.warn({ err, delivery: delivery.id }, "could not record a webhook attempt; the delivery will be retried when its lease ends");
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  async #send(delivery: ClaimedDelivery, now: Date): Promise<AttemptResult> {
    let secrets: string[];
    try {
      secrets = liveSecrets(delivery, (sealed) => this.deps.secrets.open(sealed), now);
    } catch (err) {
      if (!(err instanceof SecretUnreadableError)) throw err;
      return { ok: false, responseStatus: null, error: err.message, durationMs: 0 };
    }
    const headers = signatureHeaders(delivery.event.id, delivery.event.payload, secrets, now);
    return sendWebhook(delivery.endpoint.url, delivery.event.payload, headers, {
      timeoutMs: this.settings.timeoutMs,
      allowPrivateTargets: this.settings.allowPrivateTargets,
    });
  }
}

/** The current secret, then the previous one while its overlap lasts. */
function liveSecrets(delivery: ClaimedDelivery, open: (sealed: string) => string, now: Date): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = delivery.endpoint;
  const live = [open(secret)];
  if (previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > now) live.push(open(previousSecret));
  return live;
}
