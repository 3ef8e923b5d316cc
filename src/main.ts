import type http from "node:http";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { type AppContext, buildContext } from "./context.js";
import { oneLineReason } from "./errors/one-line-reason.js";
import { trackConnections } from "./http/connection-drain.js";
import { createHttpServer } from "./http/http-server.js";
import { createLogger, type Logger } from "./logger.js";

/** Start-up failed: one line on stderr (never a stack trace), exit code 1. */
function fail(reason: string): never {
  process.stderr.write(`workspace-auth failed to start: ${reason}\n`);
  process.exit(1);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, process.stdout);
  // Handlers first: a signal that arrives while starting (or just as "listening" is printed) must not kill
  // the process with the default action. Until the server listens there is nothing to finish.
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    logger.info({ signal }, "stopped before start-up finished");
    process.exit(0);
  };
  process.on("SIGTERM", (signal) => onSignal(signal));
  process.on("SIGINT", (signal) => onSignal(signal));

  let ctx: AppContext;
  try {
    ctx = await buildContext(config, { logger, migrate: true, background: true });
  } catch (err) {
    fail(`database: ${oneLineReason(err)}`);
  }

  const server = createHttpServer(createApp(ctx), config);
  const connections = trackConnections(server);
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    fail(`cannot listen on ${config.host}:${config.port}: ${oneLineReason(err)}`);
  }
  let stopping = false;
  onSignal = (signal) => {
    // npm forwards the signal it gets, and a process manager may also signal the whole group: act once.
    if (stopping) return;
    stopping = true;
    shutDown(signal, connections, ctx, logger, config.shutdownGraceMs);
  };
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info({ host: config.host, port, issuer: config.issuer, pid: process.pid }, "workspace-auth listening");
}

/**
 * Stops accepting connections, lets every request in flight finish (each kept-alive connection closing after
 * its last response), then closes the database and exits 0. Past the grace period it exits 1 regardless.
 */
function shutDown(
  signal: NodeJS.Signals,
  connections: ReturnType<typeof trackConnections>,
  ctx: AppContext,
  logger: Logger,
  graceMs: number,
): void {
  logger.info({ signal, inFlight: connections.inFlight }, "shutting down: no new connections, finishing requests in flight");
  const started = Date.now();
  setTimeout(() => {
    logger.error({ inFlight: connections.inFlight, graceMs }, "grace period over: exiting with requests still in flight");
    process.exit(1);
  }, graceMs).unref();
  connections
    .drain()
    .then(() => ctx.close())
    .then(
      () => {
        logger.info({ ms: Date.now() - started }, "stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "error while closing the database");
        process.exit(1);
      },
    );
}

main().catch((err: unknown) => fail(oneLineReason(err)));
