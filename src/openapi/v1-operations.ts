import { pageQuerySchema } from "../http/pagination.js";
import { createSubscriberSchema, updateSubscriberSchema } from "../resources/subscribers/schemas.js";
import { subscriberViewSchema } from "../resources/subscribers/subscriber-view.js";
import { createTagSchema } from "../resources/tags/schemas.js";
import { tagViewSchema } from "../resources/tags/tag-view.js";
import { credentialWorkspaceSchema } from "../resources/workspace-view.js";
import { dataOf, pageOf } from "./envelopes.js";
import type { Operation } from "./operation.js";

const DELETED = { 204: { description: "Deleted." } };

/** The /v1 routes (resources/v1-router.ts and its sub-routers), in the order the README lists them. */
export const v1Operations: Operation[] = [
  {
    method: "get",
    path: "/v1/workspace",
    operationId: "getWorkspace",
    summary: "The workspace the credential belongs to",
    tag: "Workspace",
    auth: "credential",
    responses: { 200: { description: "The credential's workspace.", schema: dataOf(credentialWorkspaceSchema) } },
  },
  {
    method: "get",
    path: "/v1/subscribers",
    operationId: "listSubscribers",
    summary: "List subscribers, newest first",
    tag: "Subscribers",
    auth: "credential",
    scope: "subscribers:read",
    query: pageQuerySchema,
    responses: { 200: { description: "One page of subscribers.", schema: pageOf(subscriberViewSchema) } },
  },
  {
    method: "post",
    path: "/v1/subscribers",
    operationId: "createSubscriber",
    summary: "Create a subscriber (unknown tag names are created)",
    tag: "Subscribers",
    auth: "credential",
    scope: "subscribers:write",
    body: createSubscriberSchema,
    responses: { 201: { description: "The new subscriber.", schema: dataOf(subscriberViewSchema) } },
    errors: { 409: ["duplicate_email"] },
  },
  {
    method: "get",
    path: "/v1/subscribers/{id}",
    operationId: "getSubscriber",
    summary: "One subscriber",
    tag: "Subscribers",
    auth: "credential",
    scope: "subscribers:read",
    responses: { 200: { description: "The subscriber.", schema: dataOf(subscriberViewSchema) } },
  },
  {
    method: "patch",
    path: "/v1/subscribers/{id}",
    operationId: "updateSubscriber",
    summary: "Change a subscriber's fields; `tags` replaces the whole tag set",
    description: "Send at least one field. `null` clears a name.",
    tag: "Subscribers",
    auth: "credential",
    scope: "subscribers:write",
    body: updateSubscriberSchema,
    responses: { 200: { description: "The changed subscriber.", schema: dataOf(subscriberViewSchema) } },
    errors: { 409: ["duplicate_email"] },
  },
  {
    method: "delete",
    path: "/v1/subscribers/{id}",
    operationId: "deleteSubscriber",
    summary: "Delete a subscriber (its tags stay)",
    tag: "Subscribers",
    auth: "credential",
    scope: "subscribers:write",
    responses: DELETED,
  },
  {
    method: "get",
    path: "/v1/tags",
    operationId: "listTags",
    summary: "List tags, newest first",
    tag: "Tags",
    auth: "credential",
    scope: "tags:read",
    query: pageQuerySchema,
    responses: { 200: { description: "One page of tags.", schema: pageOf(tagViewSchema) } },
  },
  {
    method: "post",
    path: "/v1/tags",
    operationId: "createTag",
    summary: "Create a tag",
    tag: "Tags",
    auth: "credential",
    scope: "tags:write",
    body: createTagSchema,
    responses: { 201: { description: "The new tag.", schema: dataOf(tagViewSchema) } },
    errors: { 409: ["duplicate_tag"] },
  },
  {
    method: "delete",
    path: "/v1/tags/{id}",
    operationId: "deleteTag",
    summary: "Delete a tag (it is removed from every subscriber)",
    tag: "Tags",
    auth: "credential",
    scope: "tags:write",
    responses: DELETED,
  },
];
