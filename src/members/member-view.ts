import { z } from "zod";
import { ROLES } from "../workspaces/roles.js";

const timestamp = z.iso.datetime();

/**
 * One person of a workspace as Team Members, /api and the CLI show them. Never holds a secret. The OpenAPI
 * document is generated from this schema and toMemberView emits through it.
 */
export const memberViewSchema = z
  .object({
    id: z.string().describe("The membership's id (what role changes and removals name)."),
    user_id: z.string(),
    name: z.string().nullable(),
    email: z.string(),
    role: z.enum(ROLES),
    joined_at: timestamp,
    last_sign_in_at: timestamp.nullable(),
    active_api_keys: z.number().int().describe("Active, unexpired API keys of this workspace the person owns."),
    approved_apps: z.number().int().describe("Active authorized apps of this workspace whose latest approval was theirs."),
  })
  .meta({ id: "Member" });

export type MemberView = z.output<typeof memberViewSchema>;

/** Emits a member through its schema (unknown keys dropped, shape checked). */
export function toMemberView(view: z.input<typeof memberViewSchema>): MemberView {
  return memberViewSchema.parse(view);
}
