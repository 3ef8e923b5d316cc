import http from "node:http";
import https from "node:https";
import net from "node:net";
import { guardedLookup, RefusedTargetError, refusedAddressReason } from "./target-guard.js";

export interface SendOptions {
  /** The whole attempt: connect, send, response headers. */
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

export interface AttemptResult {
  ok: boolean;
  responseStatus: number | null;
  /** What went wrong, in plain words; null on success. */
  error: string | null;
  durationMs: number;
}

const USER_AGENT = "workspace-auth-webhooks/1";

/**
 * One POST of an event, outside any database transaction. 2xx is success; anything else fails, redirects
 * included (never followed: the Location could point anywhere, internal addresses too). Nothing is written to
 * the socket before its remote address has passed the guard.
 */
export function sendWebhook(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<AttemptResult> {
  const started = performance.now();
  const done = (ok: boolean, responseStatus: number | null, error: string | null): AttemptResult => ({
    ok,
    responseStatus,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  return new Promise<AttemptResult>((resolve) => {
    const target = new URL(url);
    const literal = target.hostname.replace(/^\[|\]$/g, "");
    if (!options.allowPrivateTargets && net.isIP(literal)) {
      const reason = refusedAddressReason(literal);
      if (reason) return resolve(done(false, null, reason));
    }
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(target, {
      method: "POST",
      agent: false,
      lookup: guardedLookup(options.allowPrivateTargets),
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": USER_AGENT },
    });
    const timer = setTimeout(() => req.destroy(new AttemptTimeout(`no response within ${formatSeconds(options.timeoutMs)}`)), options.timeoutMs);
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    req.once("socket", (socket) => {
      const verify = () => {
        const reason = options.allowPrivateTargets ? null : refusedAddressReason(socket.remoteAddress);
        if (reason) req.destroy(new RefusedTargetError(reason));
        else req.end(body);
      };
      if (socket.connecting) socket.once("connect", verify);
      else verify();
    });
    req.once("response", (res) => {
      const status = res.statusCode ?? 0;
      // The body is not needed; reading it could take as long as the receiver likes.
      res.destroy();
      req.destroy();
      if (status >= 200 && status < 300) return settle(done(true, status, null));
      if (status >= 300 && status < 400) return settle(done(false, status, `redirect (HTTP ${status}) not followed${res.headers.location ? ` (to ${res.headers.location.slice(0, 200)})` : ""}`));
      settle(done(false, status, `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}`));
    });
    req.once("error", (err) => settle(done(false, null, describeError(err))));
  });
}

class AttemptTimeout extends Error {}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the receiver",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary DNS failure)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed by the receiver",
};

/** A socket, DNS, TLS or guard error in words a person configuring an endpoint understands. */
function describeError(err: Error & { code?: string }): string {
  if (err instanceof RefusedTargetError || err instanceof AttemptTimeout) return err.message;
  const words = err.code ? CODES[err.code] : undefined;
  if (words) return words;
  if (err.code?.startsWith("ERR_TLS") || err.code?.includes("CERT") || /certificate|SSL|TLS/i.test(err.message)) return `TLS: ${err.message}`;
  return err.message || "the request failed";
}
