import { z } from "zod";

/** GET /v1/workspace: the credential's workspace. Emitted through this schema; the OpenAPI document uses it. */
export const credentialWorkspaceSchema = z.object({ id: z.string(), name: z.string() }).meta({ id: "Workspace" });

/** The /v1 view of the credential's workspace. */
export function toCredentialWorkspaceView(workspace: { id: string; name: string }): z.output<typeof credentialWorkspaceSchema> {
  const view: z.input<typeof credentialWorkspaceSchema> = { id: workspace.id, name: workspace.name };
  return credentialWorkspaceSchema.parse(view);
}
