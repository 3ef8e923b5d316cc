/** The `type` of the /v1 error envelope; each maps to one family of HTTP statuses. */
export type ErrorType =
  | "authentication_error"
  | "permission_error"
  | "invalid_request_error"
  | "rate_limit_error"
  | "api_error";

/**
 * An error a client is meant to see. Thrown anywhere, rendered in one place (errors/render.ts)
 * as `{ "error": { "type", "code", "message" } }` with `status`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    /** Extra response headers (WWW-Authenticate, Retry-After, …). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

const REALM = 'Bearer realm="workspace-auth"';

type AuthenticationCode = "missing_credentials" | "invalid_api_key" | "invalid_access_token" | "invalid_dpop_proof";

/**
 * 401: the request carries no usable credential. The challenge says whether one was sent at all (RFC 6750 §3);
 * a DPoP failure brings its own (RFC 9449 §7.1). On /v1 it also points to the protected-resource metadata
 * (RFC 9728 §5.1): app.ts adds it with withResourceMetadata.
 */
export class AuthenticationError extends AppError {
  constructor(
    code: AuthenticationCode,
    message: string,
    challenge = code === "missing_credentials" ? REALM : `${REALM}, error="invalid_token"`,
  ) {
    super(401, "authentication_error", code, message, { "WWW-Authenticate": challenge });
  }

  /** The same error, its challenge naming the URL of the resource's RFC 9728 metadata. */
  withResourceMetadata(url: string): AuthenticationError {
    const challenge = `${this.headers["WWW-Authenticate"]}, resource_metadata="${url}"`;
    return new AuthenticationError(this.code as AuthenticationCode, this.message, challenge);
  }
}

/** 403: the credential is valid but lacks the scope this endpoint needs. */
export class InsufficientScopeError extends AppError {
  constructor(readonly scope: string) {
    super(403, "permission_error", "insufficient_scope", `This credential lacks the "${scope}" scope.`, {
      "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"`,
    });
  }
}

/**
 * 403: a valid key used from an address outside its allowlist. Counted as a failed authentication by the
 * failure limit, so a stolen key cannot be tried from anywhere for free.
 */
export class IpNotAllowedError extends AppError {
  constructor() {
    super(403, "permission_error", "ip_not_allowed", "This API key may not be used from this IP address.");
  }
}

/** 403 for signed-in people (Settings, consent) acting on a workspace they do not administer. */
export class ForbiddenError extends AppError {
  constructor(message = "You do not have permission to do this.", code = "forbidden") {
    super(403, "permission_error", code, message);
  }
}

/** 4xx problems with the request itself. */
export class InvalidRequestError extends AppError {
  constructor(status: 400 | 404 | 409 | 413 | 415 | 422, code: string, message: string) {
    super(status, "invalid_request_error", code, message);
  }
}

/** 404 for anything missing, malformed, or owned by another workspace: they must look the same. */
export class NotFoundError extends InvalidRequestError {
  constructor(what = "resource") {
    super(404, "not_found", `No such ${what}.`);
  }
}

/** 422 with the first problem found by schema validation. */
export class ValidationError extends InvalidRequestError {
  constructor(message: string) {
    super(422, "validation_failed", message);
  }
}

/** 409 for a state conflict such as rotating a revoked key. */
export class ConflictError extends InvalidRequestError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 429 with the seconds to wait. */
export class RateLimitError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limit_error", "rate_limited", "Too many requests. Retry later.", {
      "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}

/**
 * 503: the database cannot be reached or did not answer in time (an outage, or a write lock held too long).
 * Never a 500: the request was fine, and the same request will succeed once the database is back.
 */
export class ServiceUnavailableError extends AppError {
  constructor(retryAfterSeconds = 1, message = "The service is temporarily unavailable. Retry shortly.") {
    super(503, "api_error", "service_unavailable", message, {
      "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}
