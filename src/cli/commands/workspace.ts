import { type Command, Option } from "commander";
import { CLI } from "../../audit/audit-log.js";
import { addMember } from "../../workspaces/add-member.js";
import { createWorkspace } from "../../workspaces/create-workspace.js";
import type { MembershipResult } from "../../workspaces/membership-result.js";
import { removeMember } from "../../workspaces/remove-member.js";
import { type Role, ROLES } from "../../workspaces/roles.js";
import { setMemberRole } from "../../workspaces/set-member-role.js";
import { withContext } from "../run-command.js";

interface MemberOptions {
  workspace: string;
  email: string;
  role: Role;
}

const membership = (m: MembershipResult) => `Membership ${m.id}: ${m.status}`;
const roleOption = () => new Option("--role <role>", "the member's role").choices(ROLES).makeOptionMandatory();

/** `workspace create | add-member | set-role | remove-member`. Every membership change is audited. */
export function workspaceCommands(program: Command): void {
  const workspace = program.command("workspace").description("manage workspaces and their members");

  workspace
    .command("create")
    .description("create a workspace with its first owner")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--owner <email>", "email of an existing user, who becomes its owner")
    .action(
      withContext(
        (ctx, opts: { name: string; owner: string }) =>
          createWorkspace(ctx.db, { name: opts.name, ownerEmail: opts.owner, actor: CLI }),
        (w) => `Created workspace ${w.id} "${w.name}"`,
      ),
    );

  workspace
    .command("add-member")
    .description("add an existing user to a workspace")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the user's email")
    .addOption(roleOption())
    .action(
      withContext(
        (ctx, opts: MemberOptions) =>
          addMember(ctx.db, { workspaceId: opts.workspace, email: opts.email, role: opts.role, actor: CLI }),
        membership,
      ),
    );

  workspace
    .command("set-role")
    .description("change a member's role (a workspace keeps at least one owner)")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the member's email")
    .addOption(roleOption())
    .action(
      withContext(
        (ctx, opts: MemberOptions) =>
          setMemberRole(ctx.db, { workspaceId: opts.workspace, email: opts.email, role: opts.role, actor: CLI }),
        membership,
      ),
    );

  workspace
    .command("remove-member")
    .description("remove a member (the workspace's API keys stay; the last owner cannot be removed)")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the member's email")
    .action(
      withContext(
        (ctx, opts: Omit<MemberOptions, "role">) =>
          removeMember(ctx.db, { workspaceId: opts.workspace, email: opts.email, actor: CLI }),
        membership,
      ),
    );
}
