import { ValidationError } from "../../errors/app-error.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

function loopbackWith(protocol: string, uri: string): boolean {
  const url = URL.parse(uri);
  return url !== null && url.protocol === protocol && LOOPBACK_HOSTS.has(url.hostname);
}

/** An http URI on a loopback host (where a native app listens on a port of its choosing). */
export const isLoopbackHttp = (uri: string): boolean => loopbackWith("http:", uri);

/** An https URI on a loopback host. */
export const isLoopbackHttps = (uri: string): boolean => loopbackWith("https:", uri);

/**
 * Checks one redirect URI for registration: an absolute https URL (http only on a loopback host), with no
 * fragment, no user info and no wildcard, written in canonical form. The provider then matches it exactly,
 * character for character, so the canonical form is the one the app must send.
 */
export function validateRedirectUri(input: string): string {
  const fail = (why: string) => new ValidationError(`redirect URI ${JSON.stringify(input)} ${why}.`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw fail("is not an absolute URL");
  }
  if (url.protocol === "http:") {
    if (!LOOPBACK_HOSTS.has(url.hostname)) throw fail("must use https (http only on 127.0.0.1, [::1] or localhost)");
  } else if (url.protocol !== "https:") {
    throw fail("must use https");
  }
  if (input.includes("#")) throw fail("must not have a fragment");
  if (input.includes("*")) throw fail("must not contain a wildcard");
  if (url.username || url.password) throw fail("must not contain a user name or password");
  if (url.href !== input) throw fail(`must be written in canonical form: ${url.href}`);
  return url.href;
}

/** Validates a client's redirect URIs: at least one, no duplicates. */
export function validateRedirectUris(inputs: string[]): string[] {
  if (inputs.length === 0) throw new ValidationError("at least one redirect URI is required.");
  if (inputs.length > 20) throw new ValidationError("at most 20 redirect URIs.");
  return [...new Set(inputs.map(validateRedirectUri))];
}
