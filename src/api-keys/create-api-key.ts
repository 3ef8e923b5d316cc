import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { ConflictError, InvalidRequestError, NotFoundError, ValidationError } from "../errors/app-error.js";
import { type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";
import { normalizeAllowlist } from "./ip-allowlist.js";
import { accessOf, type ApiKeyAccess, scopesFromInput, storedScopes } from "./key-scopes.js";
import type { ApiKeyDeps } from "./deps.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";

export interface CreateApiKeyInput {
  workspaceId: string;
  name: string;
  /** A preset (`read_only`, `read_write`); ignored when `scopes` is given. */
  access?: ApiKeyAccess;
  /** Any non-empty subset of the /v1 scopes. */
  scopes?: readonly string[];
  /** Addresses and CIDR ranges the key may be used from (validated here); empty or absent: any address. */
  ipAllowlist?: readonly string[];
  expiresAt?: Date | null;
  ownerId?: string | null;
  actor: Actor;
  /** A form's one-time token: a second submit with the same token returns the first key, without its secret. */
  idempotencyKey?: string;
  /** The request that carried `idempotencyKey` (see request-fingerprint.ts): another request with the key is refused. */
  idempotencyFingerprint?: string;
}

/** The result of creating or rotating: the only time the plaintext key is available. */
export interface IssuedKey {
  key: string;
  apiKey: ApiKeyView;
}

export type CreateApiKeyResult = IssuedKey | { key: null; apiKey: ApiKeyView; replayed: true };

export const MAX_KEY_NAME = 100;

/**
 * An idempotency key already used: for another workspace it is a 409 (the key names a different resource);
 * for the same workspace with a different request it is a 422 (IETF Idempotency-Key draft). Keys stored
 * without a fingerprint (before fingerprints existed) replay for any request.
 */
function refuseOtherRequest(earlier: { workspaceId: string; idempotencyFingerprint: string | null }, input: CreateApiKeyInput): void {
  if (earlier.workspaceId !== input.workspaceId) {
    throw new ConflictError("idempotency_key_reused", "This form or Idempotency-Key was already used to create a key in another workspace.");
  }
  if (earlier.idempotencyFingerprint !== null && earlier.idempotencyFingerprint !== (input.idempotencyFingerprint ?? null)) {
    throw new InvalidRequestError(
      422,
      "idempotency_key_reused",
      "This form or Idempotency-Key was already used for a different request. Use a new key for a new request.",
    );
  }
}

/** Creates a key for a workspace; returns its secret once. */
export async function createApiKey(deps: ApiKeyDeps, input: CreateApiKeyInput): Promise<CreateApiKeyResult> {
  const name = input.name.trim();
  if (!name || name.length > MAX_KEY_NAME) throw new ValidationError(`name must be 1 to ${MAX_KEY_NAME} characters.`);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new ValidationError("expires_at must be in the future.");
  }
  const scopes = scopesFromInput(input);
  const ipAllowlist = normalizeAllowlist(input.ipAllowlist ?? []);
  if (input.idempotencyKey) {
    const earlier = await deps.db.apiKey.findUnique({
      where: { idempotencyKey: input.idempotencyKey },
      include: withKeyRelations,
    });
    if (earlier) {
      refuseOtherRequest(earlier, input);
      return { key: null, apiKey: toApiKeyView(earlier), replayed: true };
    }
  }
  const workspace = await deps.db.workspace.findUnique({ where: { id: input.workspaceId } });
  if (!workspace) throw new NotFoundError("workspace");

  const key = generateKey();
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        workspaceId: workspace.id,
        name,
        access: accessOf(scopes),
        scopes: storedScopes(scopes),
        ipAllowlist: ipAllowlist.join(" "),
        digest: digestKey(key),
        prefix: displayPrefix(key),
        expiresAt: input.expiresAt ?? null,
        createdById: input.ownerId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        idempotencyFingerprint: input.idempotencyKey ? (input.idempotencyFingerprint ?? null) : null,
      },
      include: withKeyRelations,
    });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "api_key.created",
      target: { type: "api_key", id: created.id },
      details: {
        name,
        access: accessOf(scopes),
        scopes,
        ...(ipAllowlist.length ? { ip_allowlist: ipAllowlist } : {}),
        prefix: created.prefix,
        expires_at: created.expiresAt,
      },
    });
    return created;
  });
  return { key, apiKey: toApiKeyView(row) };
}
