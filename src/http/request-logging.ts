import crypto from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { NextFunction } from "express";
import type { Principal } from "../credentials/principal.js";
import type { Logger } from "../logger.js";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's x-request-id or x-correlation-id when it is sane, otherwise makes one. */
export function requestIdFor(req: IncomingMessage): string {
  for (const name of ["x-request-id", "x-correlation-id"]) {
    const value = req.headers[name];
    if (typeof value === "string" && SAFE_ID.test(value)) return value;
  }
  return crypto.randomUUID();
}

/**
 * Who an authenticated /v1 request acted as: the credential's kind and record id (the key id, or the
 * authorized-app record id of an OAuth token) and the workspace. Ids only: never a secret or a digest.
 */
export function credentialFields(principal: Principal | undefined): Record<string, string> | undefined {
  if (!principal) return undefined;
  const { credential, workspace } = principal;
  const id = credential.type === "api_key" ? credential.id : credential.authorizedAppId;
  return { credential_kind: credential.type, credential_id: id, workspace_id: workspace.id };
}

const LOGGER = Symbol("requestLogger");
const LINE_LOGGER = Symbol("requestLineLogger");
const CHILD = Symbol("requestChildLogger");
const STARTED = Symbol("requestStarted");

interface LoggedRequest extends IncomingMessage {
  id?: string;
  originalUrl?: string;
  principal?: Principal;
  [LOGGER]?: Logger;
  /** The same logger without redaction, for the completed-request line (see requestLogging). */
  [LINE_LOGGER]?: Logger;
  [CHILD]?: Logger;
}

interface LoggedResponse extends ServerResponse<LoggedRequest> {
  [STARTED]?: number;
}

// `req.log` for handlers: a child logger bound to the request id, built only when a handler logs (rarely),
// instead of two child loggers per request up front. Defined once on the prototype, so a request pays nothing.
Object.defineProperty(http.IncomingMessage.prototype, "log", {
  configurable: true,
  get(this: LoggedRequest): Logger | undefined {
    const logger = this[LOGGER];
    if (!logger) return undefined;
    return (this[CHILD] ??= logger.child({ request_id: this.id }));
  },
  set(this: LoggedRequest, value: Logger) {
    this[CHILD] = value;
  },
});

/** The one line per request, written when the response is done (or the connection dropped before). */
function logResponse(res: LoggedResponse, err?: Error): void {
  const req = res.req;
  const failed = err !== undefined || res.statusCode >= 500;
  const level = failed ? "error" : "info";
  const logger = failed ? req[LOGGER] : req[LINE_LOGGER];
  if (!logger) return;
  // The level decides first: when the line would be dropped, nothing is built.
  if (!logger.isLevelEnabled(level)) return;
  const url = req.originalUrl ?? req.url ?? "";
  const query = url.indexOf("?");
  const line: Record<string, unknown> = {
    request_id: req.id,
    req: { id: req.id, method: req.method, path: query === -1 ? url : url.slice(0, query) },
  };
  // Read now, after /v1 authentication has set the principal.
  const who = credentialFields(req.principal);
  if (who) Object.assign(line, who);
  line.res = { status: res.statusCode };
  line.responseTime = Date.now() - (res[STARTED] ?? Date.now());
  if (failed) {
    line.err = err ?? new Error(`failed with status code ${res.statusCode}`);
    logger.error(line, "request errored");
  } else {
    logger.info(line, !req.readableAborted && res.writableEnded ? "request completed" : "request aborted");
  }
}

// Shared listeners (`this` is the response), so a request allocates no closures for its log line.
// (`on` and `removeListener` rather than `once`, which wraps the listener in a new closure per call.)
function onClose(this: LoggedResponse): void {
  this.removeListener("close", onClose);
  this.removeListener("error", onError);
  logResponse(this);
}
function onError(this: LoggedResponse, err: Error): void {
  this.removeListener("close", onClose);
  this.removeListener("error", onError);
  logResponse(this, err);
}

/**
 * Structured request logs carrying the request id, which is echoed as `x-request-id`: one line per request
 * (`request completed`, `request aborted`, or `request errored` at error level for 5xx), with the method,
 * the path, the status, the time taken and, on /v1, who the request acted as (`credentialFields`). Only the
 * path is logged, never the query string or a header: a misplaced credential there must not reach the logs.
 */
export function requestLogging(logger: Logger) {
  // Redaction walks every field of a line for its wildcard paths (`*.password`, …) and costs ten times the
  // rest of the line. The completed-request line is built here from fixed keys only (ids, method, path,
  // status, time), none of which any redacted path can name, so it is written without it. An errored line
  // carries an error object, whose own properties could be anything: it goes through the redacting logger.
  const lineLogger = logger.child({}, { redact: [] });
  return (req: LoggedRequest, res: LoggedResponse, next: NextFunction): void => {
    const id = requestIdFor(req);
    req.id = id;
    req[LOGGER] = logger;
    req[LINE_LOGGER] = lineLogger;
    res[STARTED] = Date.now();
    res.setHeader("x-request-id", id);
    // 'close' follows 'finish' on every response, and also comes when the client goes away first.
    res.on("close", onClose);
    res.on("error", onError);
    next();
  };
}
