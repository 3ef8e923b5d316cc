import type { Auth } from "./operation.js";

/** Error codes by status that every operation of a surface can produce (before or around its own handler). */
export type ErrorCodes = Record<number, string[]>;

// Both surfaces: the host check runs first, the body parsers, the text checks and the error renderer are shared.
const EVERY_REQUEST: ErrorCodes = {
  400: ["invalid_json", "unknown_host"],
  404: ["not_found"],
  413: ["body_too_large"],
  415: ["unsupported_media_type"],
  422: ["validation_failed"],
  500: ["internal_error"],
  503: ["service_unavailable"],
};

/**
 * /v1: the input guards, the credential (Bearer, or DPoP with its proof for a DPoP-bound token) and the two rate
 * limits run in front of every route.
 */
const V1: ErrorCodes = {
  400: ["credentials_in_query", "workspace_id_not_allowed"],
  401: ["missing_credentials", "invalid_api_key", "invalid_access_token", "invalid_dpop_proof"],
  // A valid API key from an address outside its IP allowlist.
  403: ["ip_not_allowed"],
  429: ["rate_limited"],
};

/** /api: the session and the CSRF check run in front of every route; each route checks the workspace role. */
const API: ErrorCodes = {
  401: ["missing_credentials"],
  403: ["invalid_csrf_token", "forbidden"],
};

/** Merges code lists by status, without duplicates. */
export function mergeCodes(...lists: (ErrorCodes | undefined)[]): ErrorCodes {
  const merged: ErrorCodes = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list ?? {})) {
      merged[Number(status)] = [...new Set([...(merged[Number(status)] ?? []), ...codes])];
    }
  }
  return merged;
}

/** The codes every operation with this kind of authentication can answer with. */
export function commonCodes(auth: Auth): ErrorCodes {
  if (auth === "credential") return mergeCodes(EVERY_REQUEST, V1);
  if (auth === "session") return mergeCodes(EVERY_REQUEST, API);
  return mergeCodes({ 400: ["unknown_host"], 500: ["internal_error"] });
}

/** The `type` that goes with each status in the error envelope (see errors/app-error.ts). */
export function errorTypeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}
