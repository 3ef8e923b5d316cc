import http from "node:http";
import type { Express } from "express";
import type { Config } from "../config.js";
import { messageClassesFor } from "./message-classes.js";

/**
 * The HTTP server for the app. Its requests and responses are built with the app's API already as their
 * prototype (messageClassesFor: Express would otherwise swap each one's prototype, which slows every property
 * access on them). Its idle keep-alive timeout outlasts load balancers' (see KEEP_ALIVE_TIMEOUT_MS) so the
 * balancer, which knows whether it is about to send, is the side that closes an idle connection; the headers of a
 * request on a kept-alive connection may take until just after that.
 */
export function createHttpServer(app: Express, config: Pick<Config, "keepAliveTimeoutMs">): http.Server {
  const server = http.createServer(messageClassesFor(app), app);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  return server;
}
