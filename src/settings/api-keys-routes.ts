import crypto from "node:crypto";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { ApiKeyView } from "../api-keys/api-key-view.js";
import { MAX_KEY_NAME } from "../api-keys/create-api-key.js";
import { normalizeAllowlist } from "../api-keys/ip-allowlist.js";
import { type ApiKeyPreset, normalizeScopes, PRESET_SCOPES } from "../api-keys/key-scopes.js";
import { OVERLAP_CHOICES } from "../api-keys/rotation-overlap.js";
import { updateApiKey } from "../api-keys/update-api-key.js";
import { V1_SCOPES } from "../scopes/scopes.js";
import { listApiKeys } from "../api-keys/list-api-keys.js";
import { requestFingerprint } from "../api-keys/request-fingerprint.js";
import { revokeApiKey } from "../api-keys/revoke-api-key.js";
import type { AppContext } from "../context.js";
import { listLeakedKeys } from "../leaked-credentials/list-leaked-keys.js";
import { InvalidRequestError, ValidationError } from "../errors/app-error.js";
import type { PageKit } from "../sessions/page-kit.js";
import { keyConfirmation } from "./confirmations.js";
import { createKeyOnce } from "../api-keys/create-key-once.js";
import { EXPIRATION_CHOICES, type ExpirationChoice, expiryFromChoice } from "../api-keys/expiration.js";
import { findApiKey } from "../api-keys/find-api-key.js";
import { renderSettings } from "./page.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { rotateKeyOnce } from "../api-keys/rotate-key-once.js";
import { keysWhoseOwnerLeft } from "../members/owner-left.js";
import { requireAdministered, scopeOf, type Viewer } from "../workspaces/viewer.js";

const FORM_TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

const generateForm = z.strictObject({
  _csrf: z.string(),
  form_token: z.string().regex(FORM_TOKEN, "This form is no longer valid. Open a new one."),
  workspace_id: z.string(),
  name: z.string().trim().min(1, "Enter a name for the key.").max(MAX_KEY_NAME, `Use at most ${MAX_KEY_NAME} characters.`),
  access: z.enum(["read_only", "read_write", "custom"], "Choose an access level."),
  scopes: z.union([z.string().max(40), z.array(z.string().max(40)).max(V1_SCOPES.length)]).optional(),
  ip_allowlist: z.string().max(3000, "The allowlist is too long.").optional(),
  expiration: z.enum(EXPIRATION_CHOICES.map((c) => c.value) as [ExpirationChoice, ...ExpirationChoice[]], "Choose an expiration."),
  expires_on: z.string().max(10).optional(),
});

const rotateForm = z.strictObject({ _csrf: z.string(), rotated_at: z.string().max(40), overlap: z.enum(OVERLAP_CHOICES).optional() });

const editForm = z.strictObject({
  _csrf: z.string(),
  name: z.string().trim().min(1, "Enter a name for the key.").max(MAX_KEY_NAME, `Use at most ${MAX_KEY_NAME} characters.`),
  access: z.enum(["read_only", "read_write", "custom"], "Choose an access level."),
  scopes: z.union([z.string().max(40), z.array(z.string().max(40)).max(V1_SCOPES.length)]).optional(),
  ip_allowlist: z.string().max(3000, "The allowlist is too long.").optional(),
});

/** The values a key form shows: text fields, plus the checked scopes. */
type FormValues = { [field: string]: string | string[] | undefined; scopes: string[] };

/** What the "Generate API Key" form shows: its one-time token, the values typed so far and the problem. */
interface GenerateFormModel {
  open: boolean;
  token: string;
  values: FormValues;
  error: string | null;
}

/** The "Edit API key" dialog: the key, the values shown and the problem. */
interface EditFormModel {
  apiKey: ApiKeyView;
  values: FormValues;
  error: string | null;
}

/** Everything api-keys.ejs can show on top of the table: at most one dialog and a notice. */
interface KeysPageExtras {
  generate?: Partial<GenerateFormModel>;
  result?: { kind: "created" | "rotated"; key: string | null; apiKey: ApiKeyView };
  confirm?: { kind: "rotate" | "revoke"; apiKey: ApiKeyView };
  edit?: EditFormModel;
  notice?: string | null;
  status?: number;
}

const NOTICES: Record<string, string> = {
  key_revoked: "The API key was revoked. It stopped working immediately (its previous secret too, if it was in an overlap).",
  key_reassigned: "The API key has a new owner. Its secret and access did not change.",
  key_updated: "The API key was updated. The new settings apply from its next request.",
};

/** A fresh one-time token: the form's idempotency key, so a double submit or a reload creates one key. */
function newFormToken(): string {
  return crypto.randomBytes(24).toString("base64url");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Checked boxes arrive as one string or a list. */
function checked(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** The form values of an existing key, for the Edit dialog. */
function valuesOfKey(key: ApiKeyView): FormValues {
  return { name: key.name, access: key.access, scopes: key.scopes, ip_allowlist: key.ip_allowlist.join(", ") };
}

/**
 * The scopes and allowlist a key form asked for, validated: a preset's scopes, or with Custom the checked ones.
 * Throws ValidationError with a sentence for people.
 */
function permissionsOf(form: { access: string; scopes?: string | string[]; ip_allowlist?: string }): { scopes: string[]; ipAllowlist: string[] } {
  const scopes = form.access === "custom" ? normalizeScopes(checked(form.scopes)) : [...PRESET_SCOPES[form.access as ApiKeyPreset]];
  return { scopes, ipAllowlist: normalizeAllowlist(form.ip_allowlist ?? "") };
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
      values: { workspace_id: viewer.administered[0]?.id ?? "", access: "read_only", expiration: "90", scopes: [] },
      error: null,
      ...extras.generate,
    };
    const expiringSoon = keys.filter((k) => k.expiring_soon);
    renderSettings(req, res, kit, { tab: "api-keys", title: "API Keys", viewer, status: extras.status }, {
      keys,
      ownerLeft: await keysWhoseOwnerLeft(ctx.db, keys),
      q,
      generate,
      expirationChoices: EXPIRATION_CHOICES,
      result: extras.result ?? null,
      confirm: extras.confirm ? keyConfirmation(extras.confirm.kind, extras.confirm.apiKey) : null,
      keyConfirmation,
      edit: extras.edit ?? null,
      expiringSoon,
      allScopes: V1_SCOPES,
      notice: extras.notice ?? NOTICES[text(req.query.notice)] ?? null,
      leaks: await listLeakedKeys(ctx.db, scopeOf(viewer)),
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
    const values: FormValues = {
      ...Object.fromEntries(
        ["workspace_id", "name", "access", "expiration", "expires_on", "ip_allowlist"].map((f) => [f, text(body[f])]),
      ),
      scopes: checked(body.scopes),
    };
    const retry = (error: string) =>
      renderKeys(req, res, viewer, { status: 422, generate: { open: true, token: text(body.form_token), values, error } });

    const parsed = generateForm.safeParse(body);
    if (!parsed.success) return retry(firstProblem(parsed.error));
    const form = parsed.data;
    let expiresAt: Date | null;
    let permissions: { scopes: string[]; ipAllowlist: string[] };
    try {
      expiresAt = expiryFromChoice(form.expiration, form.expires_on);
      permissions = permissionsOf(form);
    } catch (err) {
      if (err instanceof ValidationError) return retry(err.message);
      throw err;
    }
    const user = viewer.user;
    const fields = {
      workspace_id: form.workspace_id,
      name: form.name,
      access: form.access,
      expiration: form.expiration,
      expires_on: form.expires_on,
      // Only what changes the key: a preset's scopes, or the checked ones with Custom.
      scopes: permissions.scopes.join(" "),
      ip_allowlist: permissions.ipAllowlist.length ? permissions.ipAllowlist.join(" ") : undefined,
    };
    let created;
    try {
      created = await createKeyOnce(ctx.apiKeys, {
        workspaceId: workspace.id,
        name: form.name,
        scopes: permissions.scopes,
        ipAllowlist: permissions.ipAllowlist,
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

  router.get("/settings/api-keys/:id/edit", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const apiKey = await findApiKey(ctx.db, req.params.id, scopeOf(viewer));
    await renderKeys(req, res, viewer, { edit: { apiKey, values: valuesOfKey(apiKey), error: null } });
  });

  router.post("/settings/api-keys/:id/edit", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const apiKey = await findApiKey(ctx.db, req.params.id, scopeOf(viewer));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: FormValues = { name: text(body.name), access: text(body.access), ip_allowlist: text(body.ip_allowlist), scopes: checked(body.scopes) };
    const retry = (error: string) => renderKeys(req, res, viewer, { status: 422, edit: { apiKey, values, error } });
    const parsed = editForm.safeParse(body);
    if (!parsed.success) return retry(firstProblem(parsed.error));
    try {
      const { scopes, ipAllowlist } = permissionsOf(parsed.data);
      await updateApiKey(
        ctx.apiKeys,
        { id: apiKey.id, scope: scopeOf(viewer), actor: viewer.actor },
        { name: parsed.data.name, scopes, ipAllowlist },
      );
    } catch (err) {
      if (err instanceof ValidationError) return retry(err.message);
      throw err;
    }
    res.redirect(303, "/settings/api-keys?notice=key_updated");
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
      overlap: form.data.overlap ?? "now",
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
