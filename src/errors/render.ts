import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import { isDatabaseUnavailable } from "../db/database-unavailable.js";
import { AppError, InvalidRequestError, NotFoundError, ServiceUnavailableError } from "./app-error.js";

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps body-parser failures (malformed JSON, oversized or undecodable bodies) to client errors. */
function fromBodyParser(err: BodyParserError): AppError | undefined {
  switch (err.type) {
    case "entity.parse.failed":
      return new InvalidRequestError(400, "invalid_json", "The request body is not valid JSON.");
    case "entity.too.large":
      return new InvalidRequestError(413, "body_too_large", "The request body is larger than 100 kB.");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new InvalidRequestError(415, "unsupported_media_type", "Send the body as UTF-8 application/json.");
    default:
      return undefined;
  }
}

/**
 * Express's router throws a URIError (status 400) when a path parameter is not valid percent-encoding
 * (`/v1/subscribers/%FF`). Such a segment names nothing, like any other malformed id: 404.
 */
function fromRouter(err: unknown): AppError | undefined {
  return err instanceof URIError && (err as { status?: number }).status === 400 ? new NotFoundError() : undefined;
}

/** Whether a request expects our JSON envelope (API clients) rather than an HTML page (people). */
function wantsJson(req: Request): boolean {
  return (
    req.path.startsWith("/v1") ||
    req.path.startsWith("/api/") ||
    req.path.startsWith("/credentials/") ||
    req.path.startsWith("/secret-scanning/") ||
    !req.accepts("html")
  );
}

function send(req: Request, res: Response, err: AppError): void {
  res.status(err.status).set(err.headers);
  if (wantsJson(req)) {
    res.json({ error: { type: err.type, code: err.code, message: err.message } });
    return;
  }
  res.set("Cache-Control", "no-store");
  const title = err.status === 503 ? "Temporarily unavailable" : "Something went wrong";
  res.render("error", { title, status: err.status, message: err.message });
}

/** The one place errors become responses: the /v1 envelope for API clients, an HTML page for browsers. */
export const renderErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const known = err instanceof AppError ? err : (fromRouter(err) ?? fromBodyParser(err as BodyParserError));
  if (known) return send(req, res, known);
  if (isDatabaseUnavailable(err)) {
    // An outage, not a bug: the same request will work once the database answers again.
    req.log?.warn({ err }, "database unavailable");
    return send(req, res, new ServiceUnavailableError());
  }
  req.log?.error({ err }, "unhandled error");
  send(req, res, new AppError(500, "api_error", "internal_error", "Something went wrong on our side."));
};

/** Unknown routes get the same envelope as a missing resource. */
export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError("route"));
