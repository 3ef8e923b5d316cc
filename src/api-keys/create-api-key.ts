import type { Actor } from "../audit/audit-log.js";
import { recordAudit } from "../audit/audit-log.js";
import { NotFoundError, ValidationError } from "../errors/app-error.js";
import { type ApiKeyAccess, type ApiKeyView, toApiKeyView, withKeyRelations } from "./api-key-view.js";
import type { ApiKeyDeps } from "./deps.js";
import { digestKey, displayPrefix, generateKey } from "./key-format.js";

export interface CreateApiKeyInput {
  workspaceId: string;
  name: string;
  access: ApiKeyAccess;
  expiresAt?: Date | null;
  ownerId?: string | null;
  actor: Actor;
  /** A form's one-time token: a second submit with the same token returns the first key, without its secret. */
  idempotencyKey?: string;
}

/** The result of creating or rotating: the only time the plaintext key is available. */
export interface IssuedKey {
  key: string;
  apiKey: ApiKeyView;
}

export type CreateApiKeyResult = IssuedKey | { key: null; apiKey: ApiKeyView; replayed: true };

export const MAX_KEY_NAME = 100;

/** Creates a key for a workspace; returns its secret once. */
export async function createApiKey(deps: ApiKeyDeps, input: CreateApiKeyInput): Promise<CreateApiKeyResult> {
  const name = input.name.trim();
  if (!name || name.length > MAX_KEY_NAME) throw new ValidationError(`name must be 1 to ${MAX_KEY_NAME} characters.`);
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new ValidationError("expires_at must be in the future.");
  }
  if (input.idempotencyKey) {
    const earlier = await deps.db.apiKey.findUnique({
      where: { idempotencyKey: input.idempotencyKey },
      include: withKeyRelations,
    });
    if (earlier && earlier.workspaceId === input.workspaceId) {
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
        access: input.access,
        digest: digestKey(key),
        prefix: displayPrefix(key),
        expiresAt: input.expiresAt ?? null,
        createdById: input.ownerId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
      },
      include: withKeyRelations,
    });
    await recordAudit(tx, {
      workspaceId: workspace.id,
      actor: input.actor,
      action: "api_key.created",
      target: { type: "api_key", id: created.id },
      details: { name, access: input.access, prefix: created.prefix, expires_at: created.expiresAt },
    });
    return created;
  });
  return { key, apiKey: toApiKeyView(row) };
}
