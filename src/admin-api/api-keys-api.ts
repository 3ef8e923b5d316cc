import { Router } from "express";
import { z } from "zod";
import { createApiKey, MAX_KEY_NAME } from "../api-keys/create-api-key.js";
import { listApiKeys } from "../api-keys/list-api-keys.js";
import { requestFingerprint } from "../api-keys/request-fingerprint.js";
import { revokeApiKey } from "../api-keys/revoke-api-key.js";
import { MAX_ALLOWLIST_ENTRIES } from "../api-keys/ip-allowlist.js";
import { rotateApiKey } from "../api-keys/rotate-api-key.js";
import { OVERLAP_CHOICES } from "../api-keys/rotation-overlap.js";
import { updateApiKey } from "../api-keys/update-api-key.js";
import { KEY_SCOPES as V1_SCOPES } from "../api-keys/key-scopes.js";
import type { AppContext } from "../context.js";
import { ValidationError } from "../errors/app-error.js";
import { parseInput } from "../http/validation.js";
import { createKeyOnce } from "../api-keys/create-key-once.js";
import { onceAtATime } from "../http/idempotency-in-flight.js";
import { expiryInDays, MAX_EXPIRY_DAYS } from "../api-keys/expiration.js";
import { viewerOf } from "../sessions/viewer-of.js";
import { requireAdministered, scopeOf } from "../workspaces/viewer.js";
import { workspaceScope } from "../access/access-scope.js";

/** GET /api/api-keys (exported for the OpenAPI document, like the other request schemas here). */
export const listQuery = z.strictObject({
  workspace: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
});

export const createBody = z
  .strictObject({
    workspace_id: z.string().min(1).max(64),
    name: z.string().trim().min(1).max(MAX_KEY_NAME),
    access: z.enum(["read_only", "read_write"]).optional(),
    scopes: z.array(z.string().max(40)).min(1).max(V1_SCOPES.length).optional(),
    ip_allowlist: z.array(z.string().max(60)).max(MAX_ALLOWLIST_ENTRIES).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
    expires_in_days: z.number().int().min(1).max(MAX_EXPIRY_DAYS).optional(),
  })
  .refine((b) => b.expires_at === undefined || b.expires_in_days === undefined, {
    message: "send expires_at or expires_in_days, not both",
  })
  .refine((b) => (b.access === undefined) !== (b.scopes === undefined), { message: "send access or scopes (exactly one)" });

export const updateBody = z
  .strictObject({
    name: z.string().trim().min(1).max(MAX_KEY_NAME).optional(),
    scopes: z.array(z.string().max(40)).min(1).max(V1_SCOPES.length).optional(),
    ip_allowlist: z.array(z.string().max(60)).max(MAX_ALLOWLIST_ENTRIES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "send at least one of name, scopes, ip_allowlist" });

export const rotateBody = z.strictObject({ overlap: z.enum(OVERLAP_CHOICES).optional() });

export const emptyBody = z.strictObject({});

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/**
 * The optional `Idempotency-Key` header: a retry of the same request returns the first key, without its secret;
 * the same key with another body is a 422, for another workspace a 409, and while the first still runs a 409.
 */
function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value !== undefined && !IDEMPOTENCY_KEY.test(value)) {
    throw new ValidationError('Invalid header "Idempotency-Key": must be 8 to 100 letters, digits, or _ . : -');
  }
  return value;
}

/** /api/api-keys: the API Keys tab as JSON, through the same use cases and the same workspace scoping. */
export function apiKeysApi(ctx: AppContext): Router {
  const router = Router();

  router.get("/api/api-keys", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const query = parseInput(listQuery, req.query, "query");
    const scope = query.workspace ? workspaceScope([requireAdministered(viewer, query.workspace).id]) : scopeOf(viewer);
    res.json({ data: await listApiKeys(ctx.db, { scope, search: query.q }) });
  });

  router.post("/api/api-keys", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(createBody, req.body ?? {}, "body");
    const idempotencyKey = idempotencyKeyOf(req.get("idempotency-key"));
    const workspace = requireAdministered(viewer, body.workspace_id);
    const expiresAt = body.expires_at
      ? new Date(body.expires_at)
      : body.expires_in_days
        ? expiryInDays(body.expires_in_days)
        : null;
    const input = {
      workspaceId: workspace.id,
      name: body.name,
      access: body.access,
      scopes: body.scopes,
      ipAllowlist: body.ip_allowlist,
      expiresAt,
      ownerId: viewer.user.id,
      actor: viewer.actor,
    };
    const scopedKey = idempotencyKey && `api:${viewer.user.id}:${idempotencyKey}`;
    const result = scopedKey
      ? await onceAtATime(scopedKey, () =>
          createKeyOnce(ctx.apiKeys, { ...input, idempotencyKey: scopedKey, idempotencyFingerprint: requestFingerprint(body) }),
        )
      : await createApiKey(ctx.apiKeys, input);
    res.status(result.key ? 201 : 200).json({ data: { key: result.key, api_key: result.apiKey } });
  });

  router.post("/api/api-keys/:id/rotate", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(rotateBody, req.body ?? {}, "body");
    const rotated = await rotateApiKey(ctx.apiKeys, { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor, overlap: body.overlap });
    res.json({ data: { key: rotated.key, api_key: rotated.apiKey } });
  });

  router.patch("/api/api-keys/:id", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    const body = parseInput(updateBody, req.body ?? {}, "body");
    const updated = await updateApiKey(
      ctx.apiKeys,
      { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor },
      { name: body.name, scopes: body.scopes, ipAllowlist: body.ip_allowlist },
    );
    res.json({ data: updated });
  });

  router.post("/api/api-keys/:id/revoke", async (req, res) => {
    const viewer = await viewerOf(ctx, req);
    parseInput(emptyBody, req.body ?? {}, "body");
    const revoked = await revokeApiKey(ctx.apiKeys, { id: req.params.id, scope: scopeOf(viewer), actor: viewer.actor });
    res.json({ data: revoked });
  });

  return router;
}
