import { z } from "zod";
import { activityViewSchema } from "../activity/list-activity.js";
import { activityQuery } from "../admin-api/activity-api.js";
import { createBody, emptyBody, IDEMPOTENCY_KEY, listQuery as apiKeysQuery } from "../admin-api/api-keys-api.js";
import { listQuery as authorizedAppsQuery } from "../admin-api/authorized-apps-api.js";
import { apiKeyViewSchema } from "../api-keys/api-key-view.js";
import { authorizedAppViewSchema } from "../authorized-apps/authorized-app-view.js";
import { memberWorkspaceSchema } from "../workspaces/workspace-view.js";
import { dataOf, listOf, pageOf } from "./envelopes.js";
import type { Operation } from "./operation.js";

/** A new or rotated key: the secret (shown this once; null when an Idempotency-Key replays) and the key's view. */
const issuedKeySchema = dataOf(
  z.object({
    key: z.string().nullable().describe("The secret, shown only in this response; null on an idempotent replay."),
    api_key: apiKeyViewSchema,
  }),
);

const idempotencyKey = {
  name: "Idempotency-Key",
  description:
    "Replays the first result (200, `key: null`) for a retry of the same request; another request with the same key is 422 (409 for another workspace, or while the first still runs).",
  schema: z.string().regex(IDEMPOTENCY_KEY),
};

/** The /api routes (admin-api/), in the order the README lists them. */
export const apiOperations: Operation[] = [
  {
    method: "get",
    path: "/api/csrf-token",
    operationId: "getCsrfToken",
    summary: "The token every /api POST sends as `x-csrf-token`",
    tag: "Session",
    auth: "session",
    responses: { 200: { description: "The CSRF token.", schema: z.object({ token: z.string() }) } },
  },
  {
    method: "get",
    path: "/api/workspaces",
    operationId: "listMyWorkspaces",
    summary: "The workspaces the signed-in person belongs to",
    tag: "Workspaces",
    auth: "session",
    responses: { 200: { description: "Sorted by name.", schema: listOf(memberWorkspaceSchema) } },
  },
  {
    method: "get",
    path: "/api/api-keys",
    operationId: "listApiKeys",
    summary: "The keys of the workspaces the signed-in person administers",
    tag: "API keys",
    auth: "session",
    query: apiKeysQuery,
    responses: { 200: { description: "Matching keys.", schema: listOf(apiKeyViewSchema) } },
  },
  {
    method: "post",
    path: "/api/api-keys",
    operationId: "createApiKey",
    summary: "Create a key",
    tag: "API keys",
    auth: "session",
    body: createBody,
    headers: [idempotencyKey],
    responses: {
      201: { description: "The new key, with its secret.", schema: issuedKeySchema },
      200: { description: "A replay of an earlier request with the same Idempotency-Key.", schema: issuedKeySchema },
    },
    errors: { 409: ["idempotency_key_reused", "idempotency_key_in_flight"], 422: ["idempotency_key_reused"] },
  },
  {
    method: "post",
    path: "/api/api-keys/{id}/rotate",
    operationId: "rotateApiKey",
    summary: "Rotate a key: a new secret, the old one stops working",
    tag: "API keys",
    auth: "session",
    body: emptyBody,
    responses: { 200: { description: "The rotated key, with its new secret.", schema: issuedKeySchema } },
    errors: { 409: ["key_not_active"] },
  },
  {
    method: "post",
    path: "/api/api-keys/{id}/revoke",
    operationId: "revokeApiKey",
    summary: "Revoke a key (idempotent)",
    tag: "API keys",
    auth: "session",
    body: emptyBody,
    responses: { 200: { description: "The revoked key.", schema: dataOf(apiKeyViewSchema) } },
  },
  {
    method: "get",
    path: "/api/authorized-apps",
    operationId: "listAuthorizedApps",
    summary: "The apps connected to the workspaces the signed-in person administers",
    tag: "Authorized apps",
    auth: "session",
    query: authorizedAppsQuery,
    responses: { 200: { description: "Matching authorizations.", schema: listOf(authorizedAppViewSchema) } },
  },
  {
    method: "post",
    path: "/api/authorized-apps/{id}/revoke",
    operationId: "revokeAuthorizedApp",
    summary: "Disconnect an app from a workspace: every token it holds there fails from the next request",
    tag: "Authorized apps",
    auth: "session",
    body: z.strictObject({}),
    responses: { 200: { description: "The revoked authorization.", schema: dataOf(authorizedAppViewSchema) } },
  },
  {
    method: "get",
    path: "/api/activity",
    operationId: "listActivity",
    summary: "The audit log of the workspaces the signed-in person administers, newest first",
    tag: "Activity",
    auth: "session",
    query: activityQuery,
    responses: { 200: { description: "One page of events.", schema: pageOf(activityViewSchema) } },
  },
];
