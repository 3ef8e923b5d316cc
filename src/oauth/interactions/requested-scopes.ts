import { SCOPE_DESCRIPTIONS } from "../../scopes/scopes.js";
import type { PendingInteraction } from "./interaction-types.js";

export interface RequestedScopes {
  /** /v1 scopes the app asked for and may get (the provider already dropped those it is not registered for). */
  v1: string[];
  /** openid / offline_access, when asked for. */
  protocol: string[];
}

/** What an authorization request asks for, as the provider resolved it. */
export function requestedScopes(interaction: PendingInteraction, resource: string): RequestedScopes {
  const details = interaction.prompt.details as { missingResourceScopes?: Record<string, string[]> };
  const v1 = details.missingResourceScopes?.[resource] ?? [];
  const scope = interaction.params.scope;
  const asked = new Set((typeof scope === "string" ? scope : "").split(" "));
  const protocol = ["openid", "offline_access"].filter((s) => asked.has(s));
  return { v1, protocol };
}

/** The scopes in plain language, for the consent page. */
export function describeScopes(scopes: RequestedScopes): { scope: string; description: string }[] {
  return [...scopes.v1, ...scopes.protocol].map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] ?? scope }));
}
