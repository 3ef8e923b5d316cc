import type { RequestHandler } from "express";
import { KEY_PREFIX } from "../api-keys/key-format.js";
import { InvalidRequestError, NotFoundError, ValidationError } from "../errors/app-error.js";
import { malformedTextIn } from "./malformed-text.js";

const CREDENTIAL_FIELDS = new Set(["access_token", "api_key", "key", "token"]);

function findCredential(value: unknown, depth = 0): boolean {
  if (depth > 8 || value === null || value === undefined) return false;
  if (typeof value === "string") return value.startsWith(KEY_PREFIX);
  if (typeof value !== "object") return false;
  for (const [field, inner] of Object.entries(value)) {
    if (CREDENTIAL_FIELDS.has(field) || findCredential(inner, depth + 1)) return true;
  }
  return false;
}

function hasField(value: unknown, field: string): boolean {
  return typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(value, field);
}

/**
 * The input checks of every /v1 request, in order, over one parse of the query string (Express 5 parses it
 * again on each `req.query` read, and this runs on every request):
 * - credentials travel only in the Authorization header: one in the query string or body is refused and never
 *   authenticates (it may already sit in a proxy log, so the caller should rotate it);
 * - the credential alone decides the workspace: naming one is refused;
 * - text must be storable: no NUL characters, no lone UTF-16 surrogates (see malformed-text.ts).
 */
export const guardV1Input: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  // Most requests carry neither a query string nor a body: nothing to check, and no query string to parse.
  if (body === undefined && !req.url.includes("?")) return next();
  const query: unknown = req.query;
  if (findCredential(query) || findCredential(body)) {
    return next(
      new InvalidRequestError(
        400,
        "credentials_in_query",
        "Send credentials only in the Authorization header, never in the query string or body.",
      ),
    );
  }
  if (hasField(query, "workspace_id") || hasField(body, "workspace_id")) {
    return next(
      new InvalidRequestError(
        400,
        "workspace_id_not_allowed",
        "Do not send workspace_id: the credential decides the workspace.",
      ),
    );
  }
  next(malformedTextError(query, body));
};

/** Bodies on /v1 must be JSON. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && !req.is("application/json")) {
    return next(new InvalidRequestError(415, "unsupported_media_type", "Send the body as application/json."));
  }
  next();
};

/**
 * A path with an encoded NUL names nothing we could store (PostgreSQL text cannot hold NUL): answer 404
 * like any other malformed id, before a database driver turns it into a 500.
 */
export const refuseNulInPath: RequestHandler = (req, _res, next) => {
  if (!req.path.includes("%00")) return next();
  next(new NotFoundError());
};

/** Pages and /api: text that cannot be stored (NUL, lone surrogates) is refused with 422 before any schema. */
export const refuseMalformedText: RequestHandler = (req, _res, next) => {
  next(malformedTextError(req.query, req.body));
};

function malformedTextError(query: unknown, body: unknown): ValidationError | undefined {
  const problem = malformedTextIn(query) ?? malformedTextIn(body);
  return problem ? new ValidationError(problem) : undefined;
}
