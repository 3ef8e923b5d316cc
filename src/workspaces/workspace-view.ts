import { z } from "zod";
import { ROLES } from "./roles.js";

/** GET /api/workspaces: a workspace the signed-in person belongs to, their role, and whether they manage its credentials. */
export const memberWorkspaceSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), can_manage: z.boolean() })
  .meta({ id: "MemberWorkspace" });

export type MemberWorkspaceView = z.output<typeof memberWorkspaceSchema>;

/** The /api view of one of the viewer's workspaces. */
export function toMemberWorkspaceView(workspace: { id: string; name: string; role: string }, canManage: boolean): MemberWorkspaceView {
  return memberWorkspaceSchema.parse({ id: workspace.id, name: workspace.name, role: workspace.role, can_manage: canManage });
}
