import { z } from "zod";
import { createBody, deliveriesQuery, emptyBody, listQuery, updateBody } from "../admin-api/webhooks-api.js";
import { deliveryViewSchema, webhookViewSchema } from "../webhooks/webhook-view.js";
import { dataOf, listOf, pageOf } from "./envelopes.js";
import type { Operation } from "./operation.js";

/** A new or rotated signing secret (shown only in this response) and the endpoint. */
const issuedSecretSchema = dataOf(
  z.object({
    secret: z.string().describe("The signing secret (`whsec_…`), shown only in this response."),
    webhook: webhookViewSchema,
  }),
);

/** The /api/webhooks routes (admin-api/webhooks-api.ts), in the order the README lists them. */
export const webhookOperations: Operation[] = [
  {
    method: "get",
    path: "/api/webhooks",
    operationId: "listWebhooks",
    summary: "The webhook endpoints of a workspace the signed-in person belongs to (any member may read), or of all their workspaces",
    tag: "Webhooks",
    auth: "session",
    query: listQuery,
    responses: { 200: { description: "The endpoints, never a secret.", schema: listOf(webhookViewSchema) } },
  },
  {
    method: "post",
    path: "/api/webhooks",
    operationId: "createWebhook",
    summary: "Add an endpoint: its URL and the events to send; the signing secret is returned once",
    tag: "Webhooks",
    auth: "session",
    body: createBody,
    responses: { 201: { description: "The endpoint and its signing secret.", schema: issuedSecretSchema } },
    errors: { 409: ["too_many_webhooks"] },
  },
  {
    method: "get",
    path: "/api/webhooks/{id}",
    operationId: "getWebhook",
    summary: "One endpoint (any member of its workspace may read)",
    tag: "Webhooks",
    auth: "session",
    responses: { 200: { description: "The endpoint, never its secret.", schema: dataOf(webhookViewSchema) } },
  },
  {
    method: "patch",
    path: "/api/webhooks/{id}",
    operationId: "updateWebhook",
    summary: "Change an endpoint's URL, events or description (at least one); the secret stays",
    tag: "Webhooks",
    auth: "session",
    body: updateBody,
    responses: { 200: { description: "The changed endpoint.", schema: dataOf(webhookViewSchema) } },
  },
  {
    method: "delete",
    path: "/api/webhooks/{id}",
    operationId: "deleteWebhook",
    summary: "Delete an endpoint: nothing more is sent to it, retries included",
    tag: "Webhooks",
    auth: "session",
    responses: { 204: { description: "Deleted." } },
  },
  {
    method: "post",
    path: "/api/webhooks/{id}/rotate-secret",
    operationId: "rotateWebhookSecret",
    summary: "A new signing secret, returned once; the previous one keeps signing alongside it for 24 hours",
    tag: "Webhooks",
    auth: "session",
    body: emptyBody,
    responses: { 200: { description: "The endpoint and its new signing secret.", schema: issuedSecretSchema } },
  },
  {
    method: "post",
    path: "/api/webhooks/{id}/enable",
    operationId: "enableWebhook",
    summary: "Enable an endpoint that was disabled after repeated failures; new events are sent to it again",
    tag: "Webhooks",
    auth: "session",
    body: emptyBody,
    responses: { 200: { description: "The enabled endpoint.", schema: dataOf(webhookViewSchema) } },
  },
  {
    method: "get",
    path: "/api/webhooks/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    summary: "An endpoint's deliveries, newest first, each with every attempt (newest first)",
    tag: "Webhooks",
    auth: "session",
    query: deliveriesQuery,
    responses: { 200: { description: "One page of deliveries.", schema: pageOf(deliveryViewSchema) } },
  },
  {
    method: "post",
    path: "/api/webhook-deliveries/{id}/resend",
    operationId: "resendWebhookDelivery",
    summary: "Send a delivery's event again, as a new delivery with the same event id (`webhook-id`)",
    tag: "Webhooks",
    auth: "session",
    body: emptyBody,
    responses: { 202: { description: "The new delivery, queued.", schema: dataOf(deliveryViewSchema) } },
    errors: { 409: ["webhook_disabled"] },
  },
];
