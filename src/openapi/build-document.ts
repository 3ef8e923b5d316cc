import { z } from "zod";
import { SCOPE_DESCRIPTIONS, V1_SCOPES } from "../scopes/scopes.js";
import { SESSION_COOKIE } from "../sessions/page-kit.js";
import { commonCodes, type ErrorCodes, errorTypeOf, mergeCodes } from "./error-codes.js";
import { errorEnvelopeSchema } from "./envelopes.js";
import type { Operation } from "./operation.js";
import { allOperations } from "./operations.js";

type Json = Record<string, unknown>;

/** Turns zod schemas into JSON Schema, hoisting every schema with a `meta({ id })` into components.schemas. */
class SchemaCollector {
  readonly components: Record<string, Json> = {};

  /** `io: "input"` describes what a request may send (before transforms), `"output"` what a response holds. */
  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const { $defs, $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json & {
      $defs?: Record<string, Json>;
    };
    // A schema with an id, nested or itself, comes back as a definition and a $ref to it.
    for (const [id, def] of Object.entries($defs ?? {})) this.add(id, def);
    return pointRefsToComponents(rest) as Json;
  }

  private add(id: string, def: Json): void {
    const rewritten = pointRefsToComponents(def) as Json;
    const known = this.components[id];
    if (known && JSON.stringify(known) !== JSON.stringify(rewritten)) {
      throw new Error(`OpenAPI: two different schemas share the id "${id}"`);
    }
    this.components[id] = rewritten;
  }
}

function pointRefsToComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pointRefsToComponents);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === "$ref" && typeof inner === "string"
        ? [key, inner.replace("#/$defs/", "#/components/schemas/")]
        : [key, pointRefsToComponents(inner)],
    ),
  );
}

const HEADERS: Record<number, Json> = {
  401: {
    "WWW-Authenticate": {
      description:
        'RFC 6750 Bearer challenge, or for a DPoP failure an RFC 9449 `DPoP error="invalid_dpop_proof"|"invalid_token", algs="…"` challenge; on /v1 with RFC 9728 `resource_metadata`.',
      schema: { type: "string" },
    },
  },
  429: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } },
  503: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } },
};

function errorResponse(status: number, codes: string[]): Json {
  return {
    description: `Error: ${codes.map((c) => `\`${c}\``).join(", ")}.`,
    ...(HEADERS[status] && { headers: HEADERS[status] }),
    content: {
      "application/json": {
        schema: {
          allOf: [
            { $ref: "#/components/schemas/Error" },
            {
              type: "object",
              properties: {
                error: { type: "object", properties: { type: { const: errorTypeOf(status) }, code: { enum: codes } } },
              },
            },
          ],
        },
      },
    },
  };
}

function parameters(op: Operation, schemas: SchemaCollector): Json[] {
  const list: Json[] = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (op.query) {
    const query = schemas.convert(op.query, "input") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      list.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const header of op.headers ?? []) {
    list.push({
      name: header.name,
      in: "header",
      required: header.required ?? false,
      description: header.description,
      schema: schemas.convert(header.schema, "input"),
    });
  }
  if (op.auth === "credential") {
    list.push({
      name: "DPoP",
      in: "header",
      required: false,
      description: "RFC 9449 proof for this request (`htm`, `htu`, `ath`, a fresh `jti`); required with a DPoP-bound access token, which is sent as `Authorization: DPoP <token>`.",
      schema: { type: "string" },
    });
  }
  if (op.auth === "session" && op.method !== "get") {
    list.push({ name: "x-csrf-token", in: "header", required: true, description: "From GET /api/csrf-token.", schema: { type: "string" } });
  }
  return list;
}

function security(op: Operation): Json[] {
  if (op.auth === "credential") {
    const scopes = op.scope ? [op.scope] : [];
    return [{ apiKey: [] }, { oauth2: scopes }, { dpop: scopes }];
  }
  if (op.auth === "session") return [{ session: [] }];
  return [];
}

function operationObject(op: Operation, schemas: SchemaCollector): Json {
  const errors: ErrorCodes = mergeCodes(commonCodes(op.auth), op.scope ? { 403: ["insufficient_scope"] } : {}, op.errors);
  const responses: Json = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema && { content: { "application/json": { schema: schemas.convert(response.schema, "output") } } }),
    };
  }
  for (const [status, codes] of Object.entries(errors)) responses[status] = errorResponse(Number(status), codes);
  const params = parameters(op, schemas);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description && { description: op.description }),
    tags: [op.tag],
    ...(op.scope && { "x-required-scope": op.scope }),
    security: security(op),
    ...(params.length && { parameters: params }),
    ...(op.body && {
      requestBody: { required: true, content: { "application/json": { schema: schemas.convert(op.body, "input") } } },
    }),
    responses,
  };
}

function securitySchemes(issuer: string): Json {
  const scopes = Object.fromEntries([...V1_SCOPES, "offline_access"].map((s) => [s, SCOPE_DESCRIPTIONS[s]]));
  return {
    apiKey: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "mrk_…",
      description: "A workspace API key (`Authorization: Bearer mrk_…`); a read_only key has the `:read` scopes, read_write all four.",
    },
    oauth2: {
      type: "oauth2",
      description: "An OAuth 2.0 access token for resource `$ISSUER/v1` (authorization code with PKCE S256).",
      flows: {
        authorizationCode: { authorizationUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token`, refreshUrl: `${issuer}/token`, scopes },
      },
    },
    dpop: {
      type: "http",
      scheme: "DPoP",
      description:
        "A DPoP-bound OAuth 2.0 access token (RFC 9449; obtained as for `oauth2`, with a `DPoP` proof at the token endpoint) sent as `Authorization: DPoP <token>` with a `DPoP` proof header on every request. Listed scopes are the token's OAuth scopes.",
    },
    session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The session cookie set by signing in at /login." },
  };
}

/** The OpenAPI 3.1 document of /v1 and /api for a server at `issuer`, built from the operations table. */
export function buildOpenApiDocument(issuer: string): Json {
  const schemas = new SchemaCollector();
  schemas.convert(errorEnvelopeSchema, "output");
  const paths: Record<string, Json> = {};
  for (const op of allOperations) {
    paths[op.path] ??= {};
    if (paths[op.path][op.method]) throw new Error(`OpenAPI: ${op.method} ${op.path} is listed twice`);
    paths[op.path][op.method] = operationObject(op, schemas);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "workspace-auth",
      version: "1",
      description:
        "The /v1 resource API (workspace API keys or OAuth 2.0 access tokens as Bearer credentials) and the /api admin API (a signed-in session).",
    },
    servers: [{ url: issuer }],
    tags: [...new Set(allOperations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: { schemas: schemas.components, securitySchemes: securitySchemes(issuer) },
  };
}
