import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type RequestHandler, Router } from "express";
import { pageHeaders } from "../http/security-headers.js";
import { buildOpenApiDocument } from "./build-document.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Swagger UI's files come from the installed npm package and are served by us: no CDN.
const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const SWAGGER_FILES = new Set(["/swagger-ui.css", "/swagger-ui-bundle.js", "/favicon-32x32.png"]);

/**
 * GET /v1/openapi.json, public (the contract third parties build on): mounted at /v1 in front of its guards, as
 * a plain middleware rather than a router so the /v1 requests it passes on pay one comparison, not a route match.
 */
export function openApiDocumentRoute(issuer: string): RequestHandler {
  // Built at the first request, not with the app: building it (every schema through zod's JSON Schema export)
  // costs tens of milliseconds, which each start of the server (and each test app) would otherwise pay.
  let document: string | undefined;
  return (req, res, next) => {
    if (req.path !== "/openapi.json" || (req.method !== "GET" && req.method !== "HEAD")) return next();
    document ??= JSON.stringify(buildOpenApiDocument(issuer));
    res.set({ "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" }).type("json").send(document);
  };
}

/** /docs: the OpenAPI document rendered by Swagger UI under the pages' strict CSP (script-src 'self': the init code is public/docs-init.js). */
export function docsRouter(): Router {
  const router = Router();
  router.get("/docs", pageHeaders(), (_req, res) => {
    res.sendFile(path.join(root, "views/docs.html"));
  });
  router.use(
    "/docs/assets",
    (req, _res, next) => (SWAGGER_FILES.has(req.path) ? next() : next("router")),
    express.static(swaggerUiDir, { maxAge: "1h", index: false, fallthrough: false }),
  );
  return router;
}
