import { BoundedPgClient } from "../db/bounded-pg-client.js";
import { KEEPALIVE_DELAY_MS } from "../db/postgres.js";
import type { Db } from "../db/client.js";
import type { Logger } from "../logger.js";
import type { ChangeNotifier } from "./change-feed.js";

const CHANNEL = "workspace_auth_credential_changes";
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * PostgreSQL LISTEN/NOTIFY for the change feed. `notify` runs after the change's transaction committed (the
 * feed's `emit` contract), through the shared Prisma pool, so even a one-shot CLI process announces its
 * changes. Listening takes one dedicated connection; when it drops, it is reopened with a doubling delay
 * and the feed is told to reset its caches, since notifications sent meanwhile are lost.
 */
export class PostgresChangeNotifier implements ChangeNotifier {
  private client?: BoundedPgClient;
  private closed = false;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer?: NodeJS.Timeout;
  /** Announcements on their way; close() waits for them, so a one-shot CLI command's change is announced. */
  private readonly sending = new Set<Promise<unknown>>();

  constructor(
    private readonly url: string,
    private readonly db: Pick<Db, "$executeRawUnsafe">,
    private readonly logger: Logger,
    /** Bounds opening the listening connection, so a reconnect into a dead network gives up and tries again. */
    private readonly connectTimeoutMs = 1000,
  ) {}

  notify(): void {
    const sent = this.db
      .$executeRawUnsafe(`NOTIFY ${CHANNEL}`)
      .catch((err: unknown) => {
        // The poll still carries the change to the other processes, only later.
        this.logger.warn({ err }, "could not announce a credential change (other nodes learn it at their next poll)");
      })
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  async listen(handlers: { onNotify(): void; onReconnect(): void }): Promise<void> {
    const connected = await this.connect(handlers);
    if (!connected) this.scheduleReconnect(handlers);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.sending);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Opens the listening connection; false when the database cannot be reached now. */
  private async connect(handlers: { onNotify(): void; onReconnect(): void }): Promise<boolean> {
    const client = new BoundedPgClient({
      connectionString: this.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      connectionTimeoutMillis: this.connectTimeoutMs,
      query_timeout: this.connectTimeoutMs,
    });
    let dropped = false;
    const onDrop = (err?: Error) => {
      if (dropped || this.closed) return;
      dropped = true;
      this.logger.warn({ err }, "lost the credential change notification connection: reconnecting");
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect(handlers);
    };
    client.on("error", onDrop);
    client.on("end", () => onDrop());
    client.on("notification", () => handlers.onNotify());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      dropped = true;
      client.end().catch(() => undefined);
      this.logger.warn({ err }, "could not listen for credential change notifications");
      return false;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return true;
    }
    this.client = client;
    return true;
  }

  private scheduleReconnect(handlers: { onNotify(): void; onReconnect(): void }): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(handlers).then((ok) => {
        if (this.closed) return;
        if (!ok) return this.scheduleReconnect(handlers);
        this.retryMs = FIRST_RETRY_MS;
        handlers.onReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}
