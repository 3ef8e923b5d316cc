import type { ApiKeyDeps } from "./api-keys/deps.js";
import { ChangeFeed, type ChangeNotifier } from "./change-feed/change-feed.js";
import type { Config } from "./config.js";
import { createDb, databaseKind, type Db } from "./db/client.js";
import { migrate } from "./db/migrate.js";
import { createMailer, type Mailer } from "./invitations/mailer.js";
import { createLogger, type Logger } from "./logger.js";
import type { WebhookDeps } from "./webhooks/deps.js";
import { loadSecretBox } from "./webhooks/secret-box.js";

/**
 * What every process of ours needs, a server and a one-shot CLI command alike: the database, the change feed that
 * carries credential changes to every node, mail and the webhooks' sealed secrets. A server adds what serving HTTP
 * takes (context.ts: the OAuth server, credential checks, rate limits, metrics, background work); a command needs
 * none of that, and loading it (oidc-provider, Express, prom-client, jose) was most of a command's start-up.
 */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  feed: ChangeFeed;
  apiKeys: ApiKeyDeps;
  /** Outgoing mail through SMTP_URL, or null when none is configured. */
  mailer: Mailer | null;
  /** What the webhook services need (the database and the box sealing signing secrets). */
  webhooks: WebhookDeps;
  /** Stops the feed, closes the mailer and the database. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  logger?: Logger;
  /** Apply pending migrations first (the server does; the CLI has `db migrate`). */
  migrate?: boolean;
  /** How long a SQLite write waits for another process's lock before failing (see createDb). */
  lockWaitMs?: number;
}

/** Opens the database (migrating it first if asked) and builds the services on it. */
export async function buildServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (options.migrate) {
    const applied = await migrate(config.databaseUrl);
    if (applied.length) logger.info({ migrations: applied }, "applied database migrations");
  }
  const db = await createDb(config.databaseUrl, { lockWaitMs: options.lockWaitMs, postgres: config.database });
  try {
    // On PostgreSQL every process announces its changes at once (LISTEN/NOTIFY); the poll stays the safety net.
    const notifier = databaseKind(config.databaseUrl) === "postgres" ? await postgresNotifier(config, db, logger) : undefined;
    const feed = new ChangeFeed(db, logger, config.cachePollIntervalMs, notifier, config.credentialMaxStalenessMs);
    const webhooks: WebhookDeps = { db, secrets: await loadSecretBox(db, config.webhooks.secretsKey) };
    const mailer = createMailer(config.mail);
    return {
      config,
      logger,
      db,
      feed,
      apiKeys: { db, feed },
      mailer,
      webhooks,
      async close() {
        await feed.stop();
        mailer?.close();
        await db.$disconnect();
      },
    };
  } catch (err) {
    await db.$disconnect();
    throw err;
  }
}

/** Loaded only on PostgreSQL: the notifier brings pg and Prisma's pg adapter, which SQLite never needs. */
async function postgresNotifier(config: Config, db: Db, logger: Logger): Promise<ChangeNotifier> {
  const { PostgresChangeNotifier } = await import("./change-feed/postgres-change-notifier.js");
  return new PostgresChangeNotifier(config.databaseUrl, db, logger, config.database.connectTimeoutMs);
}
