import type { Role } from "../workspaces/roles.js";

/** One person of a workspace as Team Members, /api and the CLI show them. Never holds a secret. */
export interface MemberView {
  /** The membership's id (what role changes and removals name). */
  id: string;
  user_id: string;
  name: string | null;
  email: string;
  role: Role;
  joined_at: string;
  last_sign_in_at: string | null;
  /** Active, unexpired API keys of this workspace the person owns. */
  active_api_keys: number;
  /** Active authorized apps of this workspace whose latest approval was theirs. */
  approved_apps: number;
}
