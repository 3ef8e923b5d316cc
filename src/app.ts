import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { adminApiRouter } from "./admin-api/admin-api-router.js";
import type { AppContext } from "./context.js";
import { notFound, renderErrors } from "./errors/render.js";
import { refuseUnknownHosts } from "./http/allowed-hosts.js";
import { healthRouter } from "./http/health.js";
import { inOrder } from "./http/in-order.js";
import { parseQueryOnce } from "./http/query-once.js";
import { refuseNulInPath } from "./http/request-guards.js";
import { requestLogging } from "./http/request-logging.js";
import { securityHeaders } from "./http/security-headers.js";
import { credentialRevokeRouter } from "./leaked-credentials/credential-revoke-routes.js";
import { secretScanningRouter } from "./leaked-credentials/secret-scanning-routes.js";
import { httpMetrics } from "./metrics/http-metrics.js";
import { metricsRouter } from "./metrics/metrics-route.js";
import { invitationPages } from "./settings/invitation-pages.js";
import { interactionRouter } from "./oauth/interactions/interaction-routes.js";
import { pointToResourceMetadata, protectedResourceRouter } from "./oauth/protected-resource-metadata.js";
import { isProviderPath, providerRoutes } from "./oauth/provider-routes.js";
import { docsRouter, openApiDocumentRoute } from "./openapi/docs-routes.js";
import { createV1Api } from "./resources/v1-router.js";
import { loginRouter } from "./sessions/login-routes.js";
import { createPageKit } from "./sessions/page-kit.js";
import { settingsRouter } from "./settings/settings-router.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Builds the HTTP application from the shared context. No `listen` here, so tests drive it directly. */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // A hop count, not `true`: with `true` Express takes the left-most X-Forwarded-For entry, which the client writes.
  app.set("trust proxy", ctx.config.trustProxyHops || false);
  app.set("view engine", "ejs");
  app.set("views", path.join(root, "views"));
  parseQueryOnce(app);

  // What every request passes, as one layer (inOrder): mounted one by one, each would cost the router a step.
  app.use(inOrder(httpMetrics(ctx.metrics), requestLogging(ctx.logger), securityHeaders(), refuseNulInPath));
  app.use("/assets", express.static(path.join(root, "public"), { maxAge: "1h", index: false }));
  // Health, readiness and metrics answer probes addressed by IP; everything else only its own hosts.
  const ownHostsOnly = refuseUnknownHosts(ctx.config.allowedHosts, (req) => isProviderPath(req.path));
  // /v1 first after the checks every request needs: every layer mounted before it is a match (and for a router,
  // a walk through its routes) on each API request. No /v1 path belongs to the health, metrics, provider,
  // metadata or docs routers below; the public OpenAPI document is answered before the /v1 guards.
  // One layer (inOrder), so that a request elsewhere pays one failed path match for it, not four.
  app.use(
    "/v1",
    inOrder(ownHostsOnly, openApiDocumentRoute(ctx.config.issuer), createV1Api(ctx), pointToResourceMetadata(ctx.config.issuer)),
  );
  app.use(healthRouter(ctx));
  app.use(metricsRouter(ctx.metrics, ctx.config.metricsToken));
  // Before any router that parses bodies: the provider reads its own request bodies.
  app.use(ownHostsOnly);
  app.use(providerRoutes(ctx.oauth.provider, ctx.config.issuer));
  app.use(protectedResourceRouter(ctx.config.issuer), docsRouter());
  // Leaked credentials are reported here, not on /v1: its guards refuse bodies that carry credentials.
  app.use(credentialRevokeRouter(ctx), secretScanningRouter(ctx));

  const kit = createPageKit(ctx);
  app.use(loginRouter(ctx, kit));
  app.use(interactionRouter(ctx, kit));
  app.use(invitationPages(ctx, kit));
  app.use(settingsRouter(ctx, kit), adminApiRouter(ctx, kit));

  app.use(notFound);
  app.use(renderErrors);
  return app;
}
