import pg from "pg";

/** The message pg gives a query that outlived `query_timeout`. */
const READ_TIMEOUT = "Query read timeout";
/** How long `end()` waits for the server to acknowledge the goodbye before dropping the socket. */
const END_GRACE_MS = 1000;

const isReadTimeout = (err: unknown) => err instanceof Error && err.message === READ_TIMEOUT;

/**
 * A pg client that never waits on a dead network. When a query times out it closes itself: pg leaves the
 * timed-out query on the wire, so the next query on that connection would wait behind it, and
 * @prisma/adapter-pg releases a transaction's client to the pool without an error, which would hand that
 * stuck connection to the next request (closing it makes the pool discard it on release). And `end()`, which
 * waits for the server's acknowledgement, drops the socket after a grace period, so closing the pool or the
 * LISTEN connection during an outage (a shutdown) cannot hang.
 */
export class BoundedPgClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // Wrapped per instance rather than overridden, so the client keeps pg's own overloaded types.
    const self = this as unknown as Record<"query" | "end", (...args: unknown[]) => unknown>;
    const query = self.query.bind(this);
    const end = self.end.bind(this);
    self.query = (...args) => {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === "function") {
        args[last] = (err: unknown, res: unknown) => {
          if (isReadTimeout(err)) this.closeAfterTimeout();
          (callback as (e: unknown, r: unknown) => void)(err, res);
        };
        return query(...args);
      }
      const result = query(...args);
      // Registered before the caller's own handlers, so the client is closing before anyone can release it.
      if (result instanceof Promise) result.catch((err: unknown) => isReadTimeout(err) && this.closeAfterTimeout());
      return result;
    };
    self.end = (...args) => {
      const socket = (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      const timer = setTimeout(() => socket?.destroy(), END_GRACE_MS);
      timer.unref();
      this.once("end", () => clearTimeout(timer));
      return end(...args);
    };
  }

  private closeAfterTimeout(): void {
    this.end().catch(() => undefined);
  }
}
