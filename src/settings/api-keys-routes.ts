import crypto from "node:crypto";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { ApiKeyView } from "../api-keys/api-key-view.js";
import { MAX_KEY_NAME } from "../api-keys/create-api-key.js";
import { listApiKeys } from "../api-keys/list-api-keys.js";
import { requestFingerprint } from "../api-keys/request-fingerprint.js";
import { revokeApiKey } from "../api-keys/revoke-api-key.js";
import type { AppContext } from "../context.js";
import { InvalidRequestError, ValidationError } from "../errors/app-error.js";
import type { PageKit } from "../sessions/page-kit.js";
import { keyConfirmation } from "./confirmations.js";
import { createKeyOnce } from "../api-keys/create-key-once.js";
import { EXPIRATION_CHOICES, type ExpirationChoice, expiryFromChoice } from "../api-keys/expiration.js";
import { findApiKey } from "../api-keys/find-api-key.js";
import { renderSettings } from "./page.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { rotateKeyOnce } from "../api-keys/rotate-key-once.js";
import { requireAdministered, scopeOf, type Viewer } from "../workspaces/viewer.js";

const FORM_TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

const generateForm = z.strictObject({
  _csrf: z.string(),
  form_token: z.string().regex(FORM_TOKEN, "This form is no longer valid. Open a new one."),
  workspace_id: z.string(),
  name: z.string().trim().min(1, "Enter a name for the key.").max(MAX_KEY_NAME, `Use at most ${MAX_KEY_NAME} characters.`),
  access: z.enum(["read_only", "read_write"], "Choose an access level."),
  expiration: z.enum(EXPIRATION_CHOICES.map((c) => c.value) as [ExpirationChoice, ...ExpirationChoice[]], "Choose an expiration."),
  expires_on: z.string().max(10).optional(),
});

const rotateForm = z.strictObject({ _csrf: z.string(), rotated_at: z.string().max(40) });

/** What the "Generate API Key" form shows: its one-time token, the values typed so far and the problem. */
interface GenerateFormModel {
  open: boolean;
  token: string;
  values: Record<string, string>;
  error: string | null;
}

/** Everything api-keys.ejs can show on top of the table: at most one dialog and a notice. */
interface KeysPageExtras {
  generate?: Partial<GenerateFormModel>;
  result?: { kind: "created" | "rotated"; key: string | null; apiKey: ApiKeyView };
  confirm?: { kind: "rotate" | "revoke"; apiKey: ApiKeyView };
  notice?: string | null;
  status?: number;
}

const NOTICES: Record<string, string> = { key_revoked: "The API key was revoked. It stopped working immediately." };

/** A fresh one-time token: the form's idempotency key, so a double submit or a reload creates one key. */
function newFormToken(): string {
  return crypto.randomBytes(24).toString("base64url");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The first problem of a failed form parse, as a sentence for people. */
function firstProblem(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Check the form and try again.";
}

/** The API Keys tab: list and search, generate (with a one-time secret dialog), rotate and revoke. */
export function apiKeysRoutes(ctx: AppContext, kit: PageKit): Router {
  const router = Router();

  async function renderKeys(req: Request, res: Response, viewer: Viewer, extras: KeysPageExtras = {}) {
    const q = text(req.query.q).slice(0, 200);
    const keys = viewer.administered.length
      ? await listApiKeys(ctx.db, { scope: scopeOf(viewer), search: q })
      : [];
    const generate: GenerateFormModel = {
      open: false,
      token: newFormToken(),
      values: { workspace_id: viewer.administered[0]?.id ?? "", access: "read_only", expiration: "90" },
      error: null,
      ...extras.generate,
    };
    renderSettings(req, res, kit, { tab: "api-keys", title: "API Keys", viewer, status: extras.status }, {
      keys,
      q,
      generate,
      expirationChoices: EXPIRATION_CHOICES,
      result: extras.result ?? null,
      confirm: extras.confirm ? keyConfirmation(extras.confirm.kind, extras.confirm.apiKey) : null,
      keyConfirmation,
      notice: extras.notice ?? NOTICES[text(req.query.notice)] ?? null,
    });
  }

  router.get("/settings/api-keys", async (req, res) => {
    await renderKeys(req, res, await viewerOf(ctx, req));
  });

  router.get("/settings/api-keys/new", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    requireAdministered(viewer, viewer.administered[0]?.id ?? "");
    await renderKeys(req, res, viewer, { generate: { open: true } });
  });

  router.post("/settings/api-keys", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const workspace = requireAdministered(viewer, text(body.workspace_id));
    const values = Object.fromEntries(
      ["workspace_id", "name", "access", "expiration", "expires_on"].map((f) => [f, text(body[f])]),
    );
    const retry = (error: string) =>
      renderKeys(req, res, viewer, { status: 422, generate: { open: true, token: text(body.form_token), values, error } });

    const parsed = generateForm.safeParse(body);
    if (!parsed.success) return retry(firstProblem(parsed.error));
    const form = parsed.data;
    let expiresAt: Date | null;
    try {
      expiresAt = expiryFromChoice(form.expiration, form.expires_on);
    } catch (err) {
      if (err instanceof ValidationError) return retry(err.message);
      throw err;
    }
    const user = viewer.user;
    const fields = { workspace_id: form.workspace_id, name: form.name, access: form.access, expiration: form.expiration, expires_on: form.expires_on };
    let created;
    try {
      created = await createKeyOnce(ctx.apiKeys, {
        workspaceId: workspace.id,
        name: form.name,
        access: form.access,
        expiresAt,
        ownerId: user.id,
        actor: viewer.actor,
        // Namespaced by user, so nobody else's form token can ever point at this key.
        idempotencyKey: `settings:${user.id}:${form.form_token}`,
        idempotencyFingerprint: requestFingerprint(fields),
      });
    } catch (err) {
      // The form was already submitted with other values: show it again, with a fresh token.
      if (err instanceof InvalidRequestError && err.status === 422) {
        return renderKeys(req, res, viewer, { status: 422, generate: { open: true, values, error: err.message } });
      }
      throw err;
    }
    await renderKeys(req, res, viewer, { result: { kind: "created", key: created.key, apiKey: created.apiKey } });
  });

  router.get("/settings/api-keys/:id/:action", async (req, res, next) => {
    const action = req.params.action;
    if (action !== "rotate" && action !== "revoke") return next();
    const viewer = await viewerOf(ctx, req);
    const apiKey = await findApiKey(ctx.db, req.params.id, scopeOf(viewer));
    await renderKeys(req, res, viewer, { confirm: { kind: action, apiKey } });
  });

  router.post("/settings/api-keys/:id/rotate", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const form = rotateForm.safeParse(req.body ?? {});
    if (!form.success) {
      // A key outside the viewer's reach stays a 404 (403 for a member) whatever the form says.
      await findApiKey(ctx.db, req.params.id, scopeOf(viewer));
      throw new ValidationError("This form is no longer valid. Reload the page and try again.");
    }
    const rotated = await rotateKeyOnce(ctx.apiKeys, {
      id: req.params.id,
      scope: scopeOf(viewer),
      actor: viewer.actor,
      seenRotatedAt: form.data.rotated_at,
    });
    await renderKeys(req, res, viewer, { result: { kind: "rotated", key: rotated.key, apiKey: rotated.apiKey } });
  });

  router.post("/settings/api-keys/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    await revokeApiKey(ctx.apiKeys, { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor });
    res.redirect(303, "/settings/api-keys?notice=key_revoked");
  });

  return router;
}
