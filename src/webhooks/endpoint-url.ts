import { ValidationError } from "../errors/app-error.js";

const MAX_URL = 2000;

/** Host names that are this machine: the only ones plain http may be used with (local development, tests). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.[0-9]{1,3}){3}$/.test(host);
}

/**
 * The rule at create and update: an absolute https URL, or http for a loopback host; no credentials in it, no
 * fragment. Where it may really connect is decided at send time (target-guard.ts), after DNS.
 */
export function normalizeEndpointUrl(input: unknown): string {
  if (typeof input !== "string" || !input.trim()) throw new ValidationError("url is required.");
  const text = input.trim();
  if (text.length > MAX_URL) throw new ValidationError(`url must be at most ${MAX_URL} characters.`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValidationError("url must be an absolute URL such as https://example.com/webhooks.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new ValidationError("url must use https (http only for localhost and other loopback hosts).");
  }
  if (url.username || url.password) throw new ValidationError("url must not contain a user name or password.");
  if (url.hash) throw new ValidationError("url must not contain a #fragment.");
  return url.toString();
}

/** The URL without its query, for the audit log: a query may carry a token the receiver checks. */
export function urlForAudit(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
}
