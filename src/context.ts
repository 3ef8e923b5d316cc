import crypto from "node:crypto";
import { announceExpiringKeys } from "./api-keys/announce-expiring-keys.js";
import { expireDueApiKeys } from "./api-keys/expire-api-keys.js";
import type { Config } from "./config.js";
import { ApiKeyVerifier } from "./credentials/api-key-verifier.js";
import { DpopSenderConstraint } from "./dpop/sender-constraint.js";
import { CredentialResolver } from "./credentials/resolver.js";
import { createVerifierState } from "./credentials/shared-state.js";
import { everyInterval, type PeriodicTask } from "./housekeeping/periodic-task.js";
import { purgeExpired } from "./housekeeping/purge-expired.js";
import { waitForDatabase } from "./db/wait-for-database.js";
import { createLogger } from "./logger.js";
import { instrumentChangeFeed } from "./metrics/feed-metrics.js";
import { Metrics } from "./metrics/metrics.js";
import { countProviderTokens } from "./metrics/oauth-metrics.js";
import { AccessTokenVerifier } from "./credentials/access-token-verifier.js";
import { createOAuthServer, type OAuthServer } from "./oauth/oauth-server.js";
import { SharedRateLimitCounters } from "./rate-limit/shared-store.js";
import { getOrCreateSecret } from "./security/server-secrets.js";
import { LoginThrottle } from "./sessions/login-throttle.js";
import { DeliveryWorker } from "./webhooks/delivery-worker.js";
import { purgeOldWebhookEvents } from "./webhooks/purge-old-events.js";
import { wakeAfterCommit } from "./webhooks/wake-after-commit.js";
import { buildServices, type ServiceOptions, type Services } from "./services.js";

/**
 * What a server runs on: the services every process needs (services.ts) and what serving HTTP adds. Built once
 * at start and passed down (no singletons).
 */
export interface AppContext extends Services {
  resolver: CredentialResolver;
  /** The embedded OAuth authorization server (oidc-provider on our storage) and the /v1 resource it serves. */
  oauth: OAuthServer;
  /** HMAC secret of the CSRF tokens on our forms (generated once, shared by every node). */
  csrfSecret: string;
  /** Password-guessing brake shared by /login and the OAuth interaction login. */
  loginThrottle: LoginThrottle;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
  /** The /v1 rate-limit counters, shared by every node through the database. */
  rateLimits: SharedRateLimitCounters;
  /** This server's webhook delivery worker; null unless it runs background work. */
  webhookWorker: DeliveryWorker | null;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export interface ContextOptions extends ServiceOptions {
  /** Poll the change feed and sweep expiries (servers do; tests that drive the app directly need not). */
  background?: boolean;
}

const EXPIRY_SWEEP_MS = 60_000;

/** Opens the database, builds the services on it and what a server adds. */
export async function buildContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // A server may start before its database does (one compose file, a failover): wait a bounded time.
  if (options.background) {
    await waitForDatabase(config.databaseUrl, {
      attempts: config.database.startupAttempts,
      timeoutMs: config.database.connectTimeoutMs + config.database.queryTimeoutMs,
      logger,
    });
  }
  const services = await buildServices(config, { ...options, logger });
  const { db, feed, apiKeys, webhooks } = services;
  const metrics = new Metrics();
  instrumentChangeFeed(feed, metrics);
  // One credential cache and one last-used writer for both verifiers.
  const verifierState = createVerifierState(feed, logger);
  const resolver = new CredentialResolver(new ApiKeyVerifier(apiKeys, logger, metrics.cacheObserver("api_key"), verifierState), (kind, outcome) =>
    metrics.countCredentialCheck(kind, outcome),
  );
  const oauth = await createOAuthServer({ config, db, feed, logger });
  countProviderTokens(oauth.provider, metrics);
  resolver.useAccessTokens(new AccessTokenVerifier({ db, feed }, oauth.accessTokens, logger, metrics.cacheObserver("oauth"), verifierState));
  resolver.useSenderConstraint(new DpopSenderConstraint(db, config.issuer));
  const csrfSecret = await getOrCreateSecret(db, "csrf", () => crypto.randomBytes(32).toString("base64url"));
  const rateLimits = new SharedRateLimitCounters(db, logger, {
    syncIntervalMs: config.rateLimit.syncIntervalMs,
    onSync: (ok) => metrics.rateLimitSyncs.inc({ result: ok ? "ok" : "error" }),
  });

  const tasks: PeriodicTask[] = [];
  let webhookWorker: DeliveryWorker | null = null;
  if (options.background) {
    const worker = new DeliveryWorker(webhooks, { databaseUrl: config.databaseUrl, ...config.webhooks }, logger);
    wakeAfterCommit(db, () => worker.wake());
    worker.start();
    webhookWorker = worker;
    await feed.start();
    rateLimits.start();
    tasks.push(everyInterval("API key expiry sweep", EXPIRY_SWEEP_MS, logger, () => expireDueApiKeys(apiKeys)));
    tasks.push(everyInterval("announcement of API keys expiring soon", EXPIRY_SWEEP_MS, logger, () => announceExpiringKeys(apiKeys)));
    tasks.push(
      everyInterval("purge of expired sessions and OAuth artifacts", config.purgeIntervalMs, logger, async () => {
        const purged = await purgeExpired(db);
        if (purged.sessions || purged.oauthArtifacts || purged.dpopProofs) logger.info({ purged }, "purged expired rows");
      }),
    );
    tasks.push(
      everyInterval("purge of old webhook events", config.purgeIntervalMs, logger, async () => {
        const events = await purgeOldWebhookEvents(db);
        if (events) logger.info({ purged: { webhookEvents: events } }, "purged old webhook events");
      }),
    );
  }

  return {
    ...services,
    webhookWorker,
    resolver,
    oauth,
    csrfSecret,
    loginThrottle: new LoginThrottle(config.rateLimit.loginFailuresPer15Minutes),
    metrics,
    rateLimits,
    async close() {
      // Everything that queries in the background stops (and finishes its current run) before the pool closes.
      await Promise.all([...tasks.map((t) => t.stop()), webhookWorker?.stop()]);
      await rateLimits.stop();
      await services.close();
    },
  };
}
