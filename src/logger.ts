import pino, { type Logger } from "pino";

/**
 * Paths redacted from every log line. Credentials must never reach the logs: headers, passwords, API keys,
 * OAuth codes, PKCE verifiers, tokens and client secrets, wherever they appear in a logged object.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'res.headers["set-cookie"]',
  "*.password",
  "*.key",
  "*.secret",
  "*.client_secret",
  // Not "*.code": that would hide error codes (EEXIST, P2002). Authorization codes are never logged at all:
  // request logs carry the path only, and the OAuth event log records ids, not values.
  "*.authorization_code",
  "*.code_verifier",
  "*.access_token",
  "*.refresh_token",
  "*.token",
  "*.id_token",
];

export type { Logger };

/**
 * Where lines go. Standard output and standard error are written through pino's asynchronous destination
 * (sonic-boom: lines are batched and written off the request's path, and flushed synchronously when the
 * process exits); `process.stdout` itself would write synchronously to files and terminals. Any other stream
 * (tests' capture) is written as it is given.
 */
function destinationFor(destination: NodeJS.WritableStream | undefined): pino.DestinationStream {
  if (destination === undefined || destination === process.stderr) return pino.destination({ dest: 2, sync: false });
  if (destination === process.stdout) return pino.destination({ dest: 1, sync: false });
  return destination;
}

/** Builds the JSON logger. `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: undefined },
    destinationFor(destination),
  );
}
