import { AuthenticationError } from "../errors/app-error.js";
import { KEY_PREFIX } from "../api-keys/key-format.js";

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// RFC 9449 §7.1: the DPoP scheme carries a token the same way.
const TOKEN = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;
const TOKEN_SCHEME = /^(Bearer|DPoP)(?:[ \t]|$)/i;
const MAX_LENGTH = 4096;
const missingCredentials = () =>
  new AuthenticationError("missing_credentials", "Send a credential as Authorization: Bearer <credential>.");

/** Error for an unusable Bearer value, named after what it claims to be. */
export function invalidCredential(value: string): AuthenticationError {
  return value.startsWith(KEY_PREFIX)
    ? new AuthenticationError("invalid_api_key", "The API key is invalid, expired or revoked.")
    : new AuthenticationError("invalid_access_token", "The access token is invalid, expired or revoked.");
}

/**
 * Extracts the credential from an Authorization header following RFC 6750's grammar: scheme Bearer or DPoP
 * (RFC 9449 §7.1; any case), one or more spaces, exactly one token. No header or another scheme means no
 * credential. Whether the scheme fits the token is the sender constraint's decision.
 */
export function parseAuthorization(header: string | undefined): { scheme: "bearer" | "dpop"; credential: string } {
  const scheme = header ? TOKEN_SCHEME.exec(header)?.[1] : undefined;
  if (!header || !scheme) throw missingCredentials();
  const match = header.length <= MAX_LENGTH ? TOKEN.exec(header) : null;
  if (!match) throw invalidCredential(header.slice(scheme.length).trimStart());
  return { scheme: scheme.toLowerCase() === "dpop" ? "dpop" : "bearer", credential: match[2] };
}

/** The credential of an `Authorization: Bearer` header; any other scheme, DPoP included, means no credential. */
export function parseBearer(header: string | undefined): string {
  if (header && !/^Bearer(?:[ \t]|$)/i.test(header)) throw missingCredentials();
  return parseAuthorization(header).credential;
}
