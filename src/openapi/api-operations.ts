import { z } from "zod";
import { sessionViewSchema } from "../account/list-sessions.js";
import { activityViewSchema } from "../activity/list-activity.js";
import { passwordBody } from "../admin-api/account-api.js";
import { activityQuery } from "../admin-api/activity-api.js";
import { createBody, emptyBody, IDEMPOTENCY_KEY, listQuery as apiKeysQuery, rotateBody, updateBody } from "../admin-api/api-keys-api.js";
import { listQuery as authorizedAppsQuery } from "../admin-api/authorized-apps-api.js";
import { apiKeyViewSchema } from "../api-keys/api-key-view.js";
import { createBody as invitationBody, listQuery as invitationsQuery } from "../admin-api/invitations-api.js";
import { reassignBody, removeBody, roleBody } from "../admin-api/members-api.js";
import { authorizedAppViewSchema } from "../authorized-apps/authorized-app-view.js";
import { invitationViewSchema } from "../invitations/invitation-view.js";
import { membershipChangeResultSchema } from "../members/change-membership.js";
import { memberViewSchema } from "../members/member-view.js";
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

/** A new invitation: the link with its secret (shown this once), whether it went out by email, the invitation. */
const createdInvitationSchema = dataOf(
  z.object({
    link: z.url().describe("The invitation link with its secret: shown only in this response."),
    mail: z.enum(["sent", "failed", "not_configured"]).describe('Whether the link also went out by email; "failed" means pass it on by hand.'),
    invitation: invitationViewSchema,
  }),
);

/** How many other sessions of the person ended (this one stays). */
const signedOutSchema = dataOf(z.object({ signed_out_sessions: z.number().int() }));

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
    summary: "Rotate a key: a new secret; the old one stops working now or after the chosen overlap",
    tag: "API keys",
    auth: "session",
    body: rotateBody,
    responses: { 200: { description: "The rotated key, with its new secret.", schema: issuedKeySchema } },
    errors: { 409: ["key_not_active", "key_rotation_conflict"] },
  },
  {
    method: "patch",
    path: "/api/api-keys/{id}",
    operationId: "updateApiKey",
    summary: "Edit a key: its name, scopes or IP allowlist (at least one)",
    tag: "API keys",
    auth: "session",
    body: updateBody,
    responses: { 200: { description: "The edited key.", schema: dataOf(apiKeyViewSchema) } },
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
    path: "/api/invitations",
    operationId: "listInvitations",
    summary: "The open invitations (pending, and expired in the last 30 days) of the workspaces the signed-in person administers",
    tag: "Invitations",
    auth: "session",
    query: invitationsQuery,
    responses: { 200: { description: "Newest first.", schema: listOf(invitationViewSchema) } },
  },
  {
    method: "post",
    path: "/api/invitations",
    operationId: "createInvitation",
    summary: "Invite someone to a workspace by link (and by email when mail is configured)",
    tag: "Invitations",
    auth: "session",
    body: invitationBody,
    responses: { 201: { description: "The invitation and its link, shown this once.", schema: createdInvitationSchema } },
    errors: { 403: ["owner_required"], 409: ["already_member", "already_invited"] },
  },
  {
    method: "post",
    path: "/api/invitations/{id}/revoke",
    operationId: "revokeInvitation",
    summary: "Revoke a pending invitation (idempotent): its link stops working at once",
    tag: "Invitations",
    auth: "session",
    body: emptyBody,
    responses: { 200: { description: "The revoked invitation.", schema: dataOf(invitationViewSchema) } },
    errors: { 409: ["invitation_accepted"] },
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
  {
    method: "get",
    path: "/api/workspaces/{id}/members",
    operationId: "listMembers",
    summary: "The people of a workspace the signed-in person belongs to (any member may read)",
    tag: "Members",
    auth: "session",
    responses: { 200: { description: "Owners first, then admins and members, each by name or email.", schema: listOf(memberViewSchema) } },
  },
  {
    method: "get",
    path: "/api/workspaces/{id}/members/{membershipId}/left-behind",
    operationId: "listLeftBehind",
    summary: "What removing or demoting a member would leave behind: the keys they own and the apps resting on their approval",
    tag: "Members",
    auth: "session",
    responses: {
      200: {
        description: "The member's working keys and authorized apps in this workspace.",
        schema: dataOf(z.object({ api_keys: z.array(apiKeyViewSchema), authorized_apps: z.array(authorizedAppViewSchema) })),
      },
    },
  },
  {
    method: "post",
    path: "/api/workspaces/{id}/members/{membershipId}/role",
    operationId: "changeMemberRole",
    summary: "Change a member's role; a demotion to member may revoke chosen keys and apps they leave behind, in the same transaction",
    tag: "Members",
    auth: "session",
    body: roleBody,
    responses: { 200: { description: "The membership after the change.", schema: dataOf(membershipChangeResultSchema) } },
    errors: { 403: ["owner_required"], 409: ["last_owner"] },
  },
  {
    method: "post",
    path: "/api/workspaces/{id}/members/{membershipId}/remove",
    operationId: "removeMember",
    summary: "Remove a member, revoking the chosen keys and apps they leave behind in the same transaction",
    tag: "Members",
    auth: "session",
    body: removeBody,
    responses: { 200: { description: "The removed membership.", schema: dataOf(membershipChangeResultSchema) } },
    errors: { 403: ["owner_required"], 409: ["last_owner"] },
  },
  {
    method: "post",
    path: "/api/api-keys/{id}/reassign",
    operationId: "reassignApiKey",
    summary: "Give a key another owner (a member of its workspace); the secret and its rights do not change",
    tag: "API keys",
    auth: "session",
    body: reassignBody,
    responses: { 200: { description: "The key with its new owner.", schema: dataOf(apiKeyViewSchema) } },
  },
  {
    method: "get",
    path: "/api/account/sessions",
    operationId: "listMySessions",
    summary: "The signed-in person's unexpired sessions, this one first",
    tag: "Account",
    auth: "session",
    responses: { 200: { description: "This session first, then newest first.", schema: listOf(sessionViewSchema) } },
  },
  {
    method: "post",
    path: "/api/account/sessions/sign-out-others",
    operationId: "signOutOtherSessions",
    summary: "Sign out everywhere else; this session stays",
    tag: "Account",
    auth: "session",
    body: z.strictObject({}),
    responses: { 200: { description: "How many sessions ended.", schema: signedOutSchema } },
  },
  {
    method: "post",
    path: "/api/account/password",
    operationId: "changeMyPassword",
    summary: "Change the signed-in person's password (the current one is checked and counted by the sign-in throttle) and sign out everywhere else",
    tag: "Account",
    auth: "session",
    body: passwordBody,
    responses: { 200: { description: "How many other sessions ended.", schema: signedOutSchema } },
    errors: { 429: ["rate_limited"] },
  },
];
