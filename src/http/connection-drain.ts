import type { IncomingMessage, Server, ServerResponse } from "node:http";
import net, { type Socket } from "node:net";

/**
 * A connection left idle this long during a drain is closed. Not at once: a client that has just read a
 * response may already be sending its next request on the same connection, and closing it under that request
 * would abort it. Waiting lets that request arrive and be answered with `Connection: close` instead.
 */
const DRAIN_IDLE_MS = 1_000;
const CHECK_EVERY_MS = 50;

interface Connection {
  /** Requests received on this connection whose response has not finished. */
  inFlight: number;
  /** When the last response finished (or the connection opened). */
  idleSince: number;
}

/** Drains an HTTP server: see `drain`. */
export interface ConnectionDrain {
  /**
   * Stops accepting connections; every response not yet started carries `Connection: close`, so each
   * kept-alive connection closes right after its current request; connections that stay idle are closed.
   * Resolves once the last connection has closed (so no request is running any more).
   */
  drain(): Promise<void>;
  /** Requests received and not answered yet. */
  readonly inFlight: number;
}

/** Tracks a server's connections and the requests on them, from before the first one is accepted. */
export function trackConnections(server: Server): ConnectionDrain {
  const connections = new Map<Socket, Connection>();
  const open = new Set<ServerResponse>();
  let draining = false;
  let drained: (() => void) | undefined;

  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, c] of connections) {
      if (c.inFlight === 0 && now - c.idleSince >= DRAIN_IDLE_MS) socket.destroy();
    }
  };
  const settle = () => {
    if (draining && connections.size === 0) drained?.();
  };

  server.on("connection", (socket: Socket) => {
    connections.set(socket, { inFlight: 0, idleSince: Date.now() });
    socket.once("close", () => {
      connections.delete(socket);
      settle();
    });
  });
  // Before the app's listener, so the header is set before any handler can send the response.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const c = connections.get(req.socket);
    if (c) c.inFlight++;
    open.add(res);
    if (draining) res.setHeader("Connection", "close");
    res.once("close", () => {
      open.delete(res);
      if (!c) return;
      c.inFlight--;
      c.idleSince = Date.now();
    });
  });

  return {
    get inFlight() {
      return open.size;
    },
    drain() {
      draining = true;
      for (const res of open) if (!res.headersSent) res.setHeader("Connection", "close");
      // net's close, not http's: since Node 19 http.Server#close also destroys every idle connection at once,
      // which aborts a request a client is sending on one at that moment.
      net.Server.prototype.close.call(server);
      const timer = setInterval(closeIdle, CHECK_EVERY_MS);
      return new Promise<void>((resolve) => {
        drained = () => {
          clearInterval(timer);
          resolve();
        };
        settle();
      });
    },
  };
}
