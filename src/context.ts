import crypto from "node:crypto";
import type { ApiKeyDeps } from "./api-keys/deps.js";
import { announceExpiringKeys } from "./api-keys/announce-expiring-keys.js";
import { expireDueApiKeys } from "./api-keys/expire-api-keys.js";
import type { Config } from "./config.js";
import { ApiKeyVerifier } from "./credentials/api-key-verifier.js";
import { ChangeFeed } from "./change-feed/change-feed.js";
import { PostgresChangeNotifier } from "./change-feed/postgres-change-notifier.js";
import { DpopSenderConstraint } from "./dpop/sender-constraint.js";
import { CredentialResolver } from "./credentials/resolver.js";
import { createVerifierState } from "./credentials/shared-state.js";
import { createDb, databaseKind, type Db } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { everyInterval, type PeriodicTask } from "./housekeeping/periodic-task.js";
import { purgeExpired } from "./housekeeping/purge-expired.js";
import { waitForDatabase } from "./db/wait-for-database.js";
import { createLogger, type Logger } from "./logger.js";
import { createMailer, type Mailer } from "./invitations/mailer.js";
import { instrumentChangeFeed } from "./metrics/feed-metrics.js";
import { Metrics } from "./metrics/metrics.js";
import { countProviderTokens } from "./metrics/oauth-metrics.js";
import { AccessTokenVerifier } from "./credentials/access-token-verifier.js";
import { createOAuthServer, type OAuthServer } from "./oauth/oauth-server.js";
import { SharedRateLimitCounters } from "./rate-limit/shared-store.js";
import { getOrCreateSecret } from "./security/server-secrets.js";
import { LoginThrottle } from "./sessions/login-throttle.js";
import type { WebhookDeps } from "./webhooks/deps.js";
import { DeliveryWorker } from "./webhooks/delivery-worker.js";
import { purgeOldWebhookEvents } from "./webhooks/purge-old-events.js";
import { loadSecretBox } from "./webhooks/secret-box.js";
import { wakeAfterCommit } from "./webhooks/wake-after-commit.js";

/** Everything the HTTP layer and the CLI share, built once at start and passed down (no singletons). */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  feed: ChangeFeed;
  apiKeys: ApiKeyDeps;
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
  /** Outgoing mail through SMTP_URL, or null when none is configured. */
  mailer: Mailer | null;
  /** What the webhook services need (the database and the box sealing signing secrets). */
  webhooks: WebhookDeps;
  /** This server's webhook delivery worker; null in one-shot CLI processes (servers send what they queue). */
  webhookWorker: DeliveryWorker | null;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  /** Apply pending migrations first (the server does; the CLI has `db migrate`). */
  migrate?: boolean;
  /** Poll the change feed and sweep expiries (servers do; one-shot CLI commands need not). */
  background?: boolean;
  /** How long a SQLite write waits for another process's lock before failing (see createDb). */
  lockWaitMs?: number;
}

const EXPIRY_SWEEP_MS = 60_000;

/** Opens the database and builds the shared services. */
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
  if (options.migrate) {
    const applied = await migrate(config.databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, "applied database migrations");
  }
  const db = await createDb(config.databaseUrl, { lockWaitMs: options.lockWaitMs, postgres: config.database });
  const metrics = new Metrics();
  // On PostgreSQL every node hears a committed change at once (LISTEN/NOTIFY); the poll stays the safety net.
  const notifier = databaseKind(config.databaseUrl) === "postgres" ? new PostgresChangeNotifier(config.databaseUrl, db, logger, config.database.connectTimeoutMs) : undefined;
  const feed = new ChangeFeed(db, logger, config.cachePollIntervalMs, notifier, config.credentialMaxStalenessMs);
  instrumentChangeFeed(feed, metrics);
  const apiKeys: ApiKeyDeps = { db, feed };
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
  const webhooks: WebhookDeps = { db, secrets: await loadSecretBox(db, config.webhooks.secretsKey) };
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

  const mailer = createMailer(config.mail);
  return {
    config,
    logger,
    db,
    mailer,
    webhooks,
    webhookWorker,
    feed,
    apiKeys,
    resolver,
    oauth,
    csrfSecret,
    loginThrottle: new LoginThrottle(config.rateLimit.loginFailuresPer15Minutes),
    metrics,
    rateLimits,
    async close() {
      // Everything that queries in the background stops (and finishes its current run) before the pool closes.
      await Promise.all([...tasks.map((t) => t.stop()), webhookWorker?.stop()]);
      await feed.stop();
      await rateLimits.stop();
      mailer?.close();
      await db.$disconnect();
    },
  };
}
