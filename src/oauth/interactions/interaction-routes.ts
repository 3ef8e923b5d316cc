import { type NextFunction, type Request, type Response, Router } from "express";
import { errors, type InteractionResults } from "oidc-provider";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { ForbiddenError, InvalidRequestError, NotFoundError, ValidationError } from "../../errors/app-error.js";
import { pageHeaders } from "../../http/security-headers.js";
import type { PageKit } from "../../sessions/page-kit.js";
import { signIn } from "../../sessions/sign-in.js";
import type { SignedInUser } from "../../users/session-user.js";
import { listAdministeredWorkspaces } from "../../workspaces/administered-workspaces.js";
import { type ClientPresentation, findClientPresentation } from "../clients/find-client.js";
import { pinToIssuer } from "../issuer-request.js";
import { approveConsent } from "./approve-consent.js";
import type { PendingInteraction } from "./interaction-types.js";
import { describeScopes, requestedScopes } from "./requested-scopes.js";

const PATH = "/interaction/:uid";

const loginForm = z.object({
  email: z.string().trim().max(254).default(""),
  password: z.string().max(1024).default(""),
});

const consentForm = z.object({
  decision: z.enum(["allow", "deny"]),
  workspace_id: z.string().max(100).optional(),
});

const EXPIRED = "This sign-in request expired or was already completed. Go back to the app and start again.";

/** oidc-provider's own failures here (no interaction cookie, expired, finished) are one thing to a person. */
function asExpired(err: unknown): unknown {
  return err instanceof errors.OIDCProviderError ? new InvalidRequestError(400, "interaction_expired", EXPIRED) : err;
}

function pendingOf(res: Response): PendingInteraction {
  return res.locals.interaction as PendingInteraction;
}

/** The origin of the app's redirect URI (already checked against its registration by the provider). */
function redirectOrigin(interaction: PendingInteraction): string[] {
  const uri = interaction.params.redirect_uri;
  if (typeof uri !== "string") return [];
  try {
    return [new URL(uri).origin];
  } catch {
    return [];
  }
}

/** Whether the app asked the person to sign in again (prompt=login, or max_age passed). */
function reauthenticationRequested(interaction: PendingInteraction): boolean {
  return interaction.prompt.name === "login" && interaction.prompt.reasons.some((r) => r === "login_prompt" || r === "max_age");
}

/**
 * The pages of a pending authorization request: sign in (skipped when our session cookie already says who
 * it is) and consent, where the person picks the workspace the app may use. Outcomes go back to the
 * provider, which redirects to the app.
 */
export function interactionRouter(ctx: AppContext, kit: PageKit): Router {
  const { provider } = ctx.oauth;
  const consentDeps = { db: ctx.db, feed: ctx.feed, provider, resource: ctx.oauth.resource };
  // The provider sees these requests as sent to ISSUER too (its cookies, its resume URL).
  const pin = pinToIssuer(ctx.config.issuer);
  const router = Router();

  const loadInteraction = async (req: Request, res: Response, next: NextFunction) => {
    try {
      pin(req);
      const interaction = await provider.interactionDetails(req, res);
      if (interaction.uid !== req.params.uid) throw new errors.SessionNotFound("interaction mismatch");
      res.locals.interaction = interaction;
      res.locals.formActions = redirectOrigin(interaction);
    } catch (err) {
      res.locals.interactionError = asExpired(err);
    }
    next();
  };
  router.use(
    PATH,
    ...kit.base,
    loadInteraction,
    pageHeaders((_req, res) => (res.locals.formActions as string[] | undefined) ?? []),
    (_req: Request, res: Response, next: NextFunction) => next(res.locals.interactionError),
  );

  const appOf = async (interaction: PendingInteraction): Promise<ClientPresentation> => {
    const app = await findClientPresentation(ctx.db, String(interaction.params.client_id));
    if (!app) throw new NotFoundError("app");
    return app;
  };

  const finish = async (req: Request, res: Response, result: InteractionResults, merge = true) => {
    try {
      pin(req);
      res.redirect(303, await provider.interactionResult(req, res, result, { mergeWithLastSubmission: merge }));
    } catch (err) {
      throw asExpired(err);
    }
  };

  /**
   * The provider's own session belongs to someone else than our signed-in person (they signed out of our
   * pages and another person signed in): end it and start the app's request again, cleanly.
   */
  const restart = async (res: Response, interaction: PendingInteraction) => {
    if (interaction.session?.uid) await (await provider.Session.findByUid(interaction.session.uid))?.destroy();
    const params = Object.entries(interaction.params).filter((e): e is [string, string] => typeof e[1] === "string");
    res.redirect(303, `/auth?${new URLSearchParams(params).toString()}`);
  };

  const belongsToSomeoneElse = (interaction: PendingInteraction, user: { id: string }) =>
    Boolean(interaction.session?.accountId) && interaction.session?.accountId !== user.id;

  const renderLogin = async (
    req: Request,
    res: Response,
    opts: { status?: number; error?: string; email?: string } = {},
  ) => {
    const interaction = pendingOf(res);
    const app = await appOf(interaction);
    res.status(opts.status ?? 200).render("login", {
      title: `Sign in to connect ${app.name}`,
      action: `/interaction/${interaction.uid}/login`,
      csrfToken: kit.csrfToken(req, res),
      error: opts.error ?? null,
      email: opts.email ?? "",
      hidden: {},
      app: { name: app.name },
    });
  };

  const renderConsent = async (req: Request, res: Response, user: SignedInUser) => {
    const interaction = pendingOf(res);
    const app = await appOf(interaction);
    const workspaces = await listAdministeredWorkspaces(ctx.db, user.id);
    const common = {
      app,
      user: { email: user.email },
      csrfToken: kit.csrfToken(req, res),
      action: `/interaction/${interaction.uid}/consent`,
    };
    if (workspaces.length === 0) {
      return res.render("consent-no-workspace", { ...common, title: `${app.name} cannot be connected` });
    }
    res.render("consent", {
      ...common,
      title: `Connect ${app.name}`,
      scopes: describeScopes(requestedScopes(interaction, ctx.oauth.resource)),
      workspaces,
      returnHost: redirectOrigin(interaction).map((o) => new URL(o).host)[0] ?? null,
    });
  };

  router.get(PATH, async (req, res, next) => {
    try {
      const interaction = pendingOf(res);
      const user = req.user;
      if (!user || reauthenticationRequested(interaction)) return await renderLogin(req, res);
      if (belongsToSomeoneElse(interaction, user)) return await restart(res, interaction);
      if (interaction.prompt.name === "login") return await finish(req, res, { login: { accountId: user.id } }, false);
      await renderConsent(req, res, user);
    } catch (err) {
      next(err);
    }
  });

  router.post(`${PATH}/login`, kit.csrfProtect, async (req, res, next) => {
    try {
      const parsed = loginForm.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError("Enter your email and password.");
      const form = parsed.data;
      // The same session as our other pages: signing in here signs in to Settings too.
      const result = await signIn(ctx, kit, res, { email: form.email, password: form.password, address: req.ip ?? "unknown", userAgent: req.get("user-agent") });
      if (!result.ok) return await renderLogin(req, res, { status: result.status, error: result.error, email: form.email });
      const { user } = result;

      const interaction = pendingOf(res);
      if (belongsToSomeoneElse(interaction, user)) return await restart(res, interaction);
      if (interaction.prompt.name === "login") return await finish(req, res, { login: { accountId: user.id } }, false);
      res.redirect(303, `/interaction/${interaction.uid}`);
    } catch (err) {
      next(err);
    }
  });

  router.post(`${PATH}/consent`, kit.csrfProtect, async (req, res, next) => {
    try {
      const interaction = pendingOf(res);
      const user = req.user;
      if (!user) throw new ForbiddenError("Sign in first.", "not_signed_in");
      if (interaction.prompt.name !== "consent" || interaction.session?.accountId !== user.id) {
        throw new ForbiddenError("This request belongs to another sign-in. Go back to the app and start again.");
      }
      const parsed = consentForm.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError("Choose Allow access or Deny.");
      if (parsed.data.decision === "deny") {
        return await finish(req, res, { error: "access_denied", error_description: "The user denied access." }, false);
      }
      if (!parsed.data.workspace_id) {
        throw new ForbiddenError("Choose a workspace you own or administer.", "workspace_not_administered");
      }
      const grantId = await approveConsent(consentDeps, { interaction, user, workspaceId: parsed.data.workspace_id });
      await finish(req, res, { consent: { grantId } });
    } catch (err) {
      next(err);
    }
  });

  return router;
}
