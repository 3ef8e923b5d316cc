import type { Request, RequestHandler } from "express";
import { InsufficientScopeError } from "../errors/app-error.js";
import type { CredentialResolver } from "./resolver.js";
import type { Principal, V1Scope } from "./principal.js";

/** Resolves the credential (Bearer, or DPoP with its proof) into `req.principal`, or fails with a 401 envelope. */
export function authenticate(resolver: CredentialResolver): RequestHandler {
  return (req, _res, next) => {
    let resolved: Principal | Promise<Principal>;
    try {
      const proof = req.headers.dpop;
      resolved = resolver.resolve(req.headers.authorization, req, { method: req.method, target: req.originalUrl, proof: typeof proof === "string" ? proof : undefined });
    } catch (err) {
      return next(err);
    }
    // A cached credential resolves synchronously: the request goes on without waiting for a microtask turn.
    if (!(resolved instanceof Promise)) {
      req.principal = resolved;
      return next();
    }
    resolved.then((principal) => {
      req.principal = principal;
      next();
    }, next);
  };
}

/** Refuses with 403 `insufficient_scope` unless the credential carries `scope`. */
export function requireScope(scope: V1Scope): RequestHandler {
  return (req, _res, next) => {
    next(req.principal?.scopes.has(scope) ? undefined : new InsufficientScopeError(scope));
  };
}

/** The principal of an authenticated /v1 request (authenticate runs before every /v1 handler). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error("principalOf called before authenticate");
  return req.principal;
}
