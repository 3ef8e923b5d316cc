import { READ_SCOPES, V1_SCOPES, type V1Scope } from "../scopes/scopes.js";

/** The scopes a key may carry, for the adapters (Settings, /api, CLI) that list them. */
export { V1_SCOPES as KEY_SCOPES };
import { ValidationError } from "../errors/app-error.js";

/** `read_only` and `read_write` are presets; any other set of scopes is `custom`. */
export type ApiKeyAccess = "read_only" | "read_write" | "custom";
export type ApiKeyPreset = Exclude<ApiKeyAccess, "custom">;

/** The scopes each preset stands for. A write scope never implies its read scope outside a preset. */
export const PRESET_SCOPES: Record<ApiKeyPreset, readonly V1Scope[]> = {
  read_only: READ_SCOPES,
  read_write: V1_SCOPES,
};

/** The given scopes in canonical order, without duplicates; refuses unknown ones and the empty set. */
export function normalizeScopes(scopes: readonly string[]): V1Scope[] {
  const unknown = scopes.filter((s) => !(V1_SCOPES as readonly string[]).includes(s));
  if (unknown.length) {
    throw new ValidationError(`Unknown scope "${unknown[0]}". Use any of: ${V1_SCOPES.join(", ")}.`);
  }
  const chosen = V1_SCOPES.filter((s) => scopes.includes(s));
  if (!chosen.length) throw new ValidationError("Choose at least one permission.");
  return chosen;
}

/** `read_only` / `read_write` when the scopes are exactly a preset's, `custom` otherwise. */
export function accessOf(scopes: readonly string[]): ApiKeyAccess {
  const same = (preset: readonly string[]) => preset.length === scopes.length && preset.every((s) => scopes.includes(s));
  if (same(PRESET_SCOPES.read_write)) return "read_write";
  if (same(PRESET_SCOPES.read_only)) return "read_only";
  return "custom";
}

/** The scopes a request asked for: explicit `scopes` win; otherwise the preset named by `access`. */
export function scopesFromInput(input: { access?: ApiKeyAccess; scopes?: readonly string[] }): V1Scope[] {
  if (input.scopes !== undefined) return normalizeScopes(input.scopes);
  if (input.access === "read_only" || input.access === "read_write") return [...PRESET_SCOPES[input.access]];
  throw new ValidationError(input.access === "custom" ? "A custom key needs its scopes." : "Choose an access level or scopes.");
}

/** The stored form: space-separated, canonical order. */
export function storedScopes(scopes: readonly V1Scope[]): string {
  return scopes.join(" ");
}

/**
 * A key's scopes from its row. The migration backfilled every older key; a row still without scopes was written
 * by a node running the previous version during a rolling deploy, and gets what its access level always meant.
 */
export function scopesOfKey(row: { scopes: string; access: string }): V1Scope[] {
  if (!row.scopes) return [...(row.access === "read_write" ? PRESET_SCOPES.read_write : PRESET_SCOPES.read_only)];
  const words = row.scopes.split(" ");
  return V1_SCOPES.filter((s) => words.includes(s));
}
