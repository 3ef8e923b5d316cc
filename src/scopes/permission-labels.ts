import { SCOPE_DESCRIPTIONS } from "./scopes.js";

// Short labels for tables and activity lines; the consent page's longer sentences are the fallback.
const PERMISSIONS: Record<string, string> = {
  "subscribers:read": "Read subscribers",
  "subscribers:write": "Add, change and delete subscribers",
  "tags:read": "Read tags",
  "tags:write": "Create and delete tags",
};

/** A scope in plain language: `subscribers:read` → "Read subscribers". */
export function permission(scope: string): string {
  return PERMISSIONS[scope] ?? SCOPE_DESCRIPTIONS[scope] ?? scope;
}
