import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
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

/**
 * Structured request logs carrying the request id, which is echoed as `x-request-id`. Only the path is
 * logged, never the query string: a misplaced credential there must not reach the logs.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const id = requestIdFor(req);
      res.setHeader("x-request-id", id);
      return id;
    },
    // Every line, including those written through req.log inside handlers, carries `request_id`.
    quietReqLogger: true,
    customAttributeKeys: { reqId: "request_id" },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split("?")[0],
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    // Read when the response is logged, after /v1 authentication has set the principal.
    customProps: (req) => credentialFields((req as IncomingMessage & { principal?: Principal }).principal) ?? {},
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
  });
}
