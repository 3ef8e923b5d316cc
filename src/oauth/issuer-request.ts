import type { IncomingMessage } from "node:http";

/**
 * Makes a request look, to oidc-provider (Koa, with `proxy = true`), as if it had been sent to ISSUER:
 * `X-Forwarded-Proto` and `X-Forwarded-Host` are overwritten from the issuer whatever the client or a proxy
 * sent, and an absolute-form target (`GET http://evil.example/…`) is cut to its path (in `url` and in
 * Express's `originalUrl`, which the library reads too). So every URL the library builds (discovery metadata,
 * redirects, the resume URL) names the issuer, and with an https issuer its cookies are `Secure` even though
 * TLS ends at a proxy.
 */
export function pinToIssuer(issuer: string): (req: IncomingMessage & { originalUrl?: string }) => void {
  const { protocol, host } = new URL(issuer);
  const proto = protocol.slice(0, -1);
  return (req) => {
    req.headers["x-forwarded-proto"] = proto;
    req.headers["x-forwarded-host"] = host;
    const url = req.url ?? "/";
    if (!url.startsWith("/")) {
      const target = URL.parse(url);
      req.url = target ? `${target.pathname}${target.search}` : "/";
      // oidc-provider takes its mount path from the part of Express's originalUrl before req.url.
      if (req.originalUrl !== undefined) req.originalUrl = req.url;
    }
  };
}
