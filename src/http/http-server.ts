import http from "node:http";
import type { Config } from "../config.js";

/**
 * The HTTP server for the app. Its idle keep-alive timeout outlasts load balancers' (see KEEP_ALIVE_TIMEOUT_MS)
 * so the balancer, which knows whether it is about to send, is the side that closes an idle connection; the
 * headers of a request on a kept-alive connection may take until just after that.
 */
export function createHttpServer(handler: http.RequestListener, config: Pick<Config, "keepAliveTimeoutMs">): http.Server {
  const server = http.createServer(handler);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  return server;
}
