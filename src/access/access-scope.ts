import { ForbiddenError, NotFoundError } from "../errors/app-error.js";

/**
 * Whose records a service call may touch. Every use case that reads or changes a workspace's records takes
 * one, so no call can run with operator reach by leaving an argument out: Settings and /api pass the signed-in
 * user's scope (workspaceScope), the CLI passes OPERATOR explicitly.
 */
export type AccessScope = OperatorScope | WorkspaceScope;

/** The operator at the command line: every workspace. */
export interface OperatorScope {
  readonly kind: "operator";
}

/** A person: the workspaces they administer, and those where they are only a member (they see, never change). */
export interface WorkspaceScope {
  readonly kind: "workspaces";
  readonly administered: readonly string[];
  readonly memberOnly: readonly string[];
}

export const OPERATOR: OperatorScope = Object.freeze({ kind: "operator" });

export function workspaceScope(administered: readonly string[], memberOnly: readonly string[] = []): WorkspaceScope {
  return Object.freeze({ kind: "workspaces", administered: [...administered], memberOnly: [...memberOnly] });
}

/** A query filter for records the scope can see: any workspace for the operator, else the person's workspaces. */
export function visibleWorkspaces(scope: AccessScope): { workspaceId?: { in: string[] } } {
  return scope.kind === "operator" ? {} : { workspaceId: { in: [...scope.administered, ...scope.memberOnly] } };
}

/** A query filter for records the scope may manage: any workspace for the operator, else the administered ones. */
export function administeredWorkspaces(scope: AccessScope): { workspaceId?: { in: string[] } } {
  return scope.kind === "operator" ? {} : { workspaceId: { in: [...scope.administered] } };
}

/**
 * Refuses an admin action on a record found with `visibleWorkspaces`: 404 (exactly like a missing record)
 * when there is none, 403 when the scope only has a member's view of its workspace.
 */
export function requireManaged<T extends { workspaceId: string }>(scope: AccessScope, what: string, record: T | null): T {
  if (!record) throw new NotFoundError(what);
  if (scope.kind === "workspaces" && !scope.administered.includes(record.workspaceId)) throw new ForbiddenError(ADMINS_ONLY);
  return record;
}

export const ADMINS_ONLY = "Only owners and admins of this workspace can manage its credentials.";
