import type { Command } from "commander";
import { type Config, ConfigError, loadConfig } from "../config.js";
import type { Services } from "../services.js";
import { AppError } from "../errors/app-error.js";
import { createLogger, type Logger } from "../logger.js";
import { type CliError, Output } from "./output.js";

/** How long a command waits for a server's write lock on SQLite before it fails. */
const CLI_LOCK_WAIT_MS = 30_000;

/** Turns a result into the text shown without `--json`. */
export type HumanFormat<R> = (result: R) => string;

type Body<R> = (config: Config, logger: Logger) => Promise<R>;

/**
 * Runs one command: loads the configuration, runs the body, prints its result or error in the chosen
 * format and sets the exit code (0 done, 1 failed). Usage errors (exit 2) are commander's, in main.ts.
 */
async function execute<R extends object>(cmd: Command, body: Body<R>, human: HumanFormat<R>): Promise<void> {
  const output = new Output(Boolean(cmd.optsWithGlobals().json));
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger(config.logLevel, process.stderr);
    output.result(await body(config, logger), human);
    process.exitCode = 0;
  } catch (err) {
    output.failure(describe(err, logger));
    process.exitCode = 1;
  }
}

function describe(err: unknown, logger: Logger | undefined): CliError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof ConfigError) return { code: "invalid_config", message: err.message };
  // The stack is for developers (LOG_LEVEL=debug); people get the one line below.
  logger?.debug({ err }, "command failed");
  return { code: "internal_error", message: err instanceof Error ? err.message : String(err) };
}

/**
 * An action that needs the services (database, change feed, mail, webhook secrets). Pending migrations are applied
 * first, so a command run against a fresh DATABASE_URL just works; the services are closed afterwards whatever
 * happens. A command gets the services, not a server's context: it serves no HTTP and checks no credentials, so it
 * never loads the OAuth server, Express or the metrics (a test follows the CLI's imports to keep it so).
 */
export function withServices<O, R extends object>(
  run: (services: Services, options: O) => Promise<R>,
  human: HumanFormat<R>,
): (options: O, cmd: Command) => Promise<void> {
  return (options, cmd) =>
    execute(
      cmd,
      async (config, logger) => {
        // Loaded on demand: help and usage errors need no database.
        const { buildServices } = await import("../services.js");
        // A person waits for one command; a server must answer its requests quickly (createDb).
        const services = await buildServices(config, { logger, migrate: true, lockWaitMs: CLI_LOCK_WAIT_MS });
        try {
          return await run(services, options);
        } finally {
          await services.close();
        }
      },
      human,
    );
}

/** An action that needs only the configuration (such as `db migrate`, which must not migrate first). */
export function withConfig<O, R extends object>(
  run: (config: Config, options: O) => Promise<R>,
  human: HumanFormat<R>,
): (options: O, cmd: Command) => Promise<void> {
  return (options, cmd) => execute(cmd, (config) => run(config, options), human);
}
