import { createApiKey, type CreateApiKeyInput, type CreateApiKeyResult } from "./create-api-key.js";
import type { ApiKeyDeps } from "./deps.js";
import { ConflictError } from "../errors/app-error.js";
import { isUniqueViolation } from "../db/unique-violation.js";

/**
 * createApiKey with an idempotency key that also holds when two submits race (a double click without
 * JavaScript): the loser hits the unique index, and its retry finds the winner's key and returns it without
 * the secret. A key reused for another workspace stays a 409; with another request (fingerprint) a 422.
 */
export async function createKeyOnce(deps: ApiKeyDeps, input: CreateApiKeyInput & { idempotencyKey: string }): Promise<CreateApiKeyResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await createApiKey(deps, input);
    } catch (err) {
      if (!isUniqueViolation(err, "ApiKey")) throw err;
      if (attempt > 0) {
        throw new ConflictError("idempotency_key_reused", "This form or Idempotency-Key was already used to create a key in another workspace.");
      }
    }
  }
}
