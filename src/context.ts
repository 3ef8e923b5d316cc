import crypto from "node:crypto";
import type { ApiKeyDeps } from "./api-keys/deps.js";
import { expireDueApiKeys } from "./api-keys/expire-api-keys.js";
import type { Config } from "./config.js";
import { ApiKeyVerifier } from "./credentials/api-key-verifier.js";
import { ChangeFeed } from "./credentials/change-feed.js";
import { CredentialResolver } from "./credentials/resolver.js";
import { createDb, type Db } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { createLogger, type Logger } from "./logger.js";
import { getOrCreateSecret } from "./security/server-secrets.js";
import { LoginThrottle } from "./sessions/login-throttle.js";

/** Everything the HTTP layer and the CLI share, built once at start and passed down (no singletons). */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Db;
  feed: ChangeFeed;
  apiKeys: ApiKeyDeps;
  resolver: CredentialResolver;
  /** HMAC secret of the CSRF tokens on our forms (generated once, shared by every node). */
  csrfSecret: string;
  /** Password-guessing brake shared by /login and the OAuth interaction login. */
  loginThrottle: LoginThrottle;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  /** Apply pending migrations first (the server does; the CLI has `db migrate`). */
  migrate?: boolean;
  /** Poll the change feed and sweep expiries (servers do; one-shot CLI commands need not). */
  background?: boolean;
}

const EXPIRY_SWEEP_MS = 60_000;

/** Opens the database and builds the shared services. */
export async function buildContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (options.migrate) {
    const applied = await migrate(config.databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, "applied database migrations");
  }
  const db = await createDb(config.databaseUrl);
  const feed = new ChangeFeed(db, logger, config.cachePollIntervalMs);
  const apiKeys: ApiKeyDeps = { db, feed };
  const resolver = new CredentialResolver(new ApiKeyVerifier(apiKeys, logger));
  const csrfSecret = await getOrCreateSecret(db, "csrf", () => crypto.randomBytes(32).toString("base64url"));

  const timers: NodeJS.Timeout[] = [];
  if (options.background) {
    await feed.start();
    const sweep = setInterval(() => {
      expireDueApiKeys(apiKeys).catch((err: unknown) => logger.error({ err }, "API key expiry sweep failed"));
    }, EXPIRY_SWEEP_MS);
    sweep.unref();
    timers.push(sweep);
  }

  return {
    config,
    logger,
    db,
    feed,
    apiKeys,
    resolver,
    csrfSecret,
    loginThrottle: new LoginThrottle(config.rateLimit.loginFailuresPer15Minutes),
    async close() {
      feed.stop();
      for (const t of timers) clearInterval(t);
      await db.$disconnect();
    },
  };
}
