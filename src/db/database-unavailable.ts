/**
 * Whether an error means "the database cannot be reached or did not answer in time" (an outage, a restart,
 * a timeout, a lock held too long) rather than a bug or a bad request. Such a request deserves 503 and a
 * retry, never 500. Checked by shape, so it holds for pg's own errors, for the forms Prisma wraps them in
 * (for either generated client) and for libSQL's.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  return causes(err).some(looksUnavailable);
}

/** Node socket errors on the way to the database. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

/**
 * PostgreSQL SQLSTATEs: the server shutting down, restarting, out of connection slots, or a statement
 * cancelled by `statement_timeout` / a lock not granted within `lock_timeout`. Class 08 (connection
 * exceptions) is matched as a whole below.
 */
const POSTGRES_CODES = new Set(["57P01", "57P02", "57P03", "57014", "53300", "55P03"]);

/**
 * Prisma: P1001 cannot reach the server, P1002 timed out reaching it, P1008 operation timed out (libSQL's
 * busy database becomes this), P1017 the server closed the connection, P2024 no pool connection in time,
 * P2028 a transaction that could not start within `maxWait` or ran past its `timeout`.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);

/** Driver-adapter error kinds Prisma reports in `meta.driverAdapterError.cause.kind`. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** pg and pg-pool raise these as plain Errors, without a code, and Prisma passes them through unchanged. */
const DRIVER_MESSAGES = [
  "Query read timeout",
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "Cannot use a pool after calling end on the pool",
];

/**
 * SQLite / libSQL: the file stayed locked past the busy timeout; `service_unavailable` is our own DatabaseBusyError
 * (the write lock not had within its budget), which Prisma re-wraps inside model queries keeping its code.
 */
const SQLITE_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "service_unavailable"]);

interface ErrorShape {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function looksUnavailable(e: ErrorShape): boolean {
  for (const code of [e.code, e.originalCode]) {
    if (typeof code !== "string") continue;
    if (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || PRISMA_CODES.has(code) || SQLITE_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return DRIVER_MESSAGES.some((m) => message.startsWith(m)) || /database is locked|SQLITE_BUSY/.test(message);
}

/** The error, its `cause` chain and the driver error Prisma keeps in `meta`, at most a few levels deep. */
function causes(err: unknown): ErrorShape[] {
  const found: ErrorShape[] = [];
  const queue: unknown[] = [err];
  while (queue.length && found.length < 8) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || found.includes(e)) continue;
    const shape = e as ErrorShape;
    found.push(shape);
    queue.push(shape.cause, shape.meta?.driverAdapterError);
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
  }
  return found;
}
