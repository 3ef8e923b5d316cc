import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import type { AppContext } from "./context.js";
import { notFound, renderErrors } from "./errors/render.js";
import { healthRouter } from "./http/health.js";
import { requestLogging } from "./http/request-logging.js";
import { securityHeaders } from "./http/security-headers.js";
import { createV1Router } from "./resources/v1-router.js";
import { loginRouter } from "./sessions/login-routes.js";
import { createPageKit } from "./sessions/page-kit.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Builds the HTTP application from the shared context. No `listen` here, so tests drive it directly. */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", ctx.config.trustProxy);
  app.set("view engine", "ejs");
  app.set("views", path.join(root, "views"));

  app.use(requestLogging(ctx.logger));
  app.use(securityHeaders());
  app.use("/assets", express.static(path.join(root, "public"), { maxAge: "1h", index: false }));
  app.use(healthRouter(ctx));
  app.use("/v1", createV1Router(ctx));

  const kit = createPageKit(ctx);
  app.use(loginRouter(ctx, kit));

  app.use(notFound);
  app.use(renderErrors);
  return app;
}
