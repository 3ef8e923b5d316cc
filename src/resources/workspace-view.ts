import { z } from "zod";

/**
 * GET /v1/workspace: the credential's workspace. The OpenAPI document uses this schema; the view is typed by it
 * (an object literal of its output type: a field it lacks does not compile) and not parsed at run time, which
 * cost a quarter of the handler per request. Every /v1 response in the integration suite is validated against
 * the document (test/support/contract-setup.ts).
 */
export const credentialWorkspaceSchema = z.object({ id: z.string(), name: z.string() }).meta({ id: "Workspace" });

/** The /v1 view of the credential's workspace. */
export function toCredentialWorkspaceView(workspace: { id: string; name: string }): z.output<typeof credentialWorkspaceSchema> {
  return { id: workspace.id, name: workspace.name };
}
