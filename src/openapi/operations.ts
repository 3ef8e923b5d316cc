import { z } from "zod";
import { protectedResourceMetadataSchema, PROTECTED_RESOURCE_PATH } from "../oauth/protected-resource-metadata.js";
import { apiOperations } from "./api-operations.js";
import type { Operation } from "./operation.js";
import { v1Operations } from "./v1-operations.js";
import { webhookOperations } from "./webhooks-operations.js";

/*
 * HOW TO DOCUMENT A CHANGE (the contract test fails the build until you do):
 * - A new response field: add it to the zod view schema the view function emits through (e.g.
 *   api-keys/api-key-view.ts `apiKeyViewSchema`); the view function's `z.input` literal makes the type checker
 *   insist on it, and the document picks it up by itself.
 * - A new request field: it already lives in the route's zod input schema; nothing to do here.
 * - A new route: add one entry to v1-operations.ts or api-operations.ts (method, OpenAPI path, the route's
 *   own query/body schemas, its response schemas, and `errors` for codes only it produces).
 * - A new error code every route of a surface can produce (a new guard in front of the routes): error-codes.ts.
 */

/** Discovery documents outside /v1 and /api that the contract also covers. */
const discoveryOperations: Operation[] = [
  {
    method: "get",
    path: PROTECTED_RESOURCE_PATH,
    operationId: "getProtectedResourceMetadata",
    summary: "RFC 9728 metadata of the /v1 resource: its authorization server, scopes and bearer methods",
    tag: "Discovery",
    auth: "none",
    responses: { 200: { description: "The metadata.", schema: protectedResourceMetadataSchema } },
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    tag: "Discovery",
    auth: "none",
    responses: {
      200: {
        description: "The OpenAPI 3.1 document.",
        schema: z.looseObject({ openapi: z.literal("3.1.0"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
      },
    },
  },
];

/** Every documented operation. */
export const allOperations: Operation[] = [...v1Operations, ...apiOperations, ...webhookOperations, ...discoveryOperations];
