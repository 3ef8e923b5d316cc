import { type Actor, recordAudit } from "../../audit/audit-log.js";
import { V1_SCOPES } from "../../scopes/scopes.js";
import type { Db } from "../../db/client.js";
import { ValidationError } from "../../errors/app-error.js";
import { PROTOCOL_SCOPES } from "../../scopes/scopes.js";
import { type ClientView, toClientView } from "./client-view.js";
import { digestClientSecret, generateClientId, generateClientSecret } from "./client-secret.js";
import { validateRedirectUris } from "./redirect-uris.js";

export interface CreateClientInput {
  name: string;
  redirectUris: string[];
  /** Space-separated scopes the app may ask for (any of scopes_supported); all four /v1 scopes when omitted. */
  scopes?: string;
  /** A public client (a browser or mobile app) has no secret; PKCE alone protects its codes. */
  isPublic?: boolean;
  logoUri?: string | null;
  homepage?: string | null;
  actor: Actor;
}

/** The only time a client secret is available: null for a public client. */
export interface IssuedClient {
  client: ClientView;
  clientSecret: string | null;
}

const MAX_NAME = 100;

/** Accepts only absolute https URLs for the logo and homepage shown on the consent page. */
function optionalHttpsUrl(value: string | null | undefined, field: string): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field} must be an absolute https URL.`);
  }
  if (url.protocol !== "https:" || url.username || url.password) throw new ValidationError(`${field} must be an absolute https URL.`);
  return url.href;
}

const SUPPORTED_SCOPES: readonly string[] = [...V1_SCOPES, ...PROTOCOL_SCOPES];

/**
 * Parses a scope list. Every scope in `scopes_supported` is accepted; what is stored is the /v1 scopes (at
 * least one), because `openid` and `offline_access` are open to every client whether listed or not.
 */
export function parseClientScopes(scopes: string | undefined): string[] {
  if (scopes === undefined) return [...V1_SCOPES];
  const list = [...new Set(scopes.split(/[\s,]+/).filter(Boolean))];
  const unknown = list.filter((s) => !SUPPORTED_SCOPES.includes(s));
  if (unknown.length) throw new ValidationError(`unknown scope ${unknown.join(", ")}; allowed: ${SUPPORTED_SCOPES.join(" ")}.`);
  const v1 = V1_SCOPES.filter((s) => list.includes(s));
  if (v1.length === 0) throw new ValidationError(`at least one /v1 scope is required (${V1_SCOPES.join(" ")}).`);
  return v1;
}

/** Registers an approved app. Its secret (for a confidential client) is returned once and stored as a digest. */
export async function createClient(db: Db, input: CreateClientInput): Promise<IssuedClient> {
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME) throw new ValidationError(`name must be 1 to ${MAX_NAME} characters.`);
  const redirectUris = validateRedirectUris(input.redirectUris);
  const scopes = parseClientScopes(input.scopes);
  const logoUri = optionalHttpsUrl(input.logoUri, "logo URI");
  const homepage = optionalHttpsUrl(input.homepage, "homepage");
  const clientSecret = input.isPublic ? null : generateClientSecret();

  const row = await db.$transaction(async (tx) => {
    const created = await tx.oAuthClient.create({
      data: {
        id: generateClientId(),
        name,
        isPublic: Boolean(input.isPublic),
        secretDigest: clientSecret ? digestClientSecret(clientSecret) : null,
        redirectUris: JSON.stringify(redirectUris),
        scopes: scopes.join(" "),
        logoUri,
        homepage,
      },
    });
    await recordAudit(tx, {
      workspaceId: null,
      actor: input.actor,
      action: "client.created",
      target: { type: "client", id: created.id },
      details: { name, public: created.isPublic, redirect_uris: redirectUris, scopes },
    });
    return created;
  });
  return { client: toClientView(row), clientSecret };
}
