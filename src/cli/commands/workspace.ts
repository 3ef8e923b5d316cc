import { type Command, Option } from "commander";
import { OPERATOR } from "../../access/access-scope.js";
import { CLI } from "../../audit/audit-log.js";
import { changeMembership, type MembershipChangeResult } from "../../members/change-membership.js";
import { listMembers } from "../../members/list-members.js";
import type { MemberView } from "../../members/member-view.js";
import { addMember } from "../../workspaces/add-member.js";
import { createWorkspace } from "../../workspaces/create-workspace.js";
import { requireWorkspace } from "../../workspaces/find-workspace.js";
import type { MembershipResult } from "../../workspaces/membership-result.js";
import { removeMember } from "../../workspaces/remove-member.js";
import { type Role, ROLES } from "../../workspaces/roles.js";
import { setMemberRole } from "../../workspaces/set-member-role.js";
import { createInvitation } from "../../invitations/create-invitation.js";
import type { InvitationView } from "../../invitations/invitation-view.js";
import { listOpenInvitations } from "../../invitations/list-invitations.js";
import { revokeInvitation } from "../../invitations/revoke-invitation.js";
import { withServices } from "../run-command.js";

interface MemberOptions {
  workspace: string;
  email: string;
  role: Role;
}

const membership = (m: MembershipResult) => `Membership ${m.id}: ${m.status}`;
/** One line per member: role, email, name, and what they hold. */
const memberLines = (r: { data: MemberView[] }) =>
  r.data.length === 0
    ? "No members."
    : r.data
        .map((m) => `${m.role.padEnd(6)}  ${m.email}${m.name ? ` (${m.name})` : ""}  joined ${m.joined_at.slice(0, 10)}, last sign-in ${m.last_sign_in_at?.slice(0, 16).replace("T", " ") ?? "never"}, ${m.active_api_keys} active key(s), ${m.approved_apps} app(s) approved  [${m.id}]`)
        .join("\n");

const removal = (r: MembershipResult | MembershipChangeResult) =>
  "revoked_api_keys" in r
    ? `${membership(r)}; revoked ${r.revoked_api_keys.length} API key(s) and ${r.revoked_authorized_apps.length} authorized app(s)`
    : membership(r);

const roleOption = () => new Option("--role <role>", "the member's role").choices(ROLES).makeOptionMandatory();

const invitationLine = (i: InvitationView) =>
  `${i.id}  ${i.email}  ${i.role}  ${i.status}  invited by ${i.invited_by ?? "-"}  expires ${i.expires_at}`;

const MAIL_NOTES = {
  sent: "It was also emailed to the invitee.",
  failed: "The email could not be sent: pass the link on yourself.",
  not_configured: "Email is not configured (SMTP_URL): pass the link on yourself.",
};

/**
 * `workspace create | members | add-member | set-role | remove-member | invite | invitations | revoke-invitation`.
 * Every membership change is audited.
 */
export function workspaceCommands(program: Command): void {
  const workspace = program.command("workspace").description("manage workspaces and their members");

  workspace
    .command("create")
    .description("create a workspace with its first owner")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--owner <email>", "email of an existing user, who becomes its owner")
    .action(
      withServices(
        (ctx, opts: { name: string; owner: string }) =>
          createWorkspace(ctx.db, { name: opts.name, ownerEmail: opts.owner, actor: CLI }),
        (w) => `Created workspace ${w.id} "${w.name}"`,
      ),
    );

  workspace
    .command("members")
    .description("list a workspace's members with their role, last sign-in, active keys and approved apps")
    .requiredOption("--workspace <id>", "workspace id")
    .action(
      withServices(
        async (ctx, opts: { workspace: string }) => {
          await requireWorkspace(ctx.db, opts.workspace);
          return { data: await listMembers(ctx.db, opts.workspace) };
        },
        memberLines,
      ),
    );

  workspace
    .command("add-member")
    .description("add an existing user to a workspace")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the user's email")
    .addOption(roleOption())
    .action(
      withServices(
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
      withServices(
        (ctx, opts: MemberOptions) =>
          setMemberRole(ctx.db, { workspaceId: opts.workspace, email: opts.email, role: opts.role, actor: CLI }),
        membership,
      ),
    );

  workspace
    .command("remove-member")
    .description("remove a member (the last owner cannot be removed); their keys and apps stay unless --revoke-credentials")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the member's email")
    .option("--revoke-credentials", "in the same transaction, revoke the active API keys they own and the apps whose latest approval was theirs")
    .action(
      withServices(
        (ctx, opts: Omit<MemberOptions, "role"> & { revokeCredentials?: boolean }) =>
          opts.revokeCredentials
            ? changeMembership(
                { db: ctx.db, feed: ctx.feed },
                { workspaceId: opts.workspace, target: { email: opts.email }, change: { kind: "remove" }, revoke: "all", by: { actor: CLI, userId: null } },
              )
            : removeMember(ctx.db, { workspaceId: opts.workspace, email: opts.email, actor: CLI }),
        removal,
      ),
    );

  workspace
    .command("invite")
    .description("invite someone by email; prints the single-use link once (also emailed when SMTP_URL is set)")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--email <email>", "the invitee's email")
    .addOption(roleOption())
    .action(
      withServices(
        (ctx, opts: MemberOptions) =>
          createInvitation(
            { db: ctx.db, issuer: ctx.config.issuer, mailer: ctx.mailer, logger: ctx.logger },
            opts.workspace,
            { actor: CLI, standing: "operator" },
            { email: opts.email, role: opts.role },
          ),
        (created) =>
          [
            `Invited ${created.invitation.email} as ${created.invitation.role} (invitation ${created.invitation.id}, expires ${created.invitation.expires_at}).`,
            MAIL_NOTES[created.mail],
            "This link is shown once:",
            created.link,
          ].join("\n"),
      ),
    );

  workspace
    .command("invitations")
    .description("list a workspace's pending (and recently expired) invitations")
    .requiredOption("--workspace <id>", "workspace id")
    .action(
      withServices(
        async (ctx, opts: { workspace: string }) => ({ data: await listOpenInvitations(ctx.db, OPERATOR, opts.workspace) }),
        (r) => (r.data.length ? r.data.map(invitationLine).join("\n") : "No pending invitations."),
      ),
    );

  workspace
    .command("revoke-invitation")
    .description("revoke a pending invitation; its link stops working at once")
    .requiredOption("--id <id>", "invitation id")
    .action(
      withServices(
        (ctx, opts: { id: string }) => revokeInvitation(ctx.db, { id: opts.id, scope: OPERATOR, actor: CLI }),
        (i) => `Invitation ${i.id} for ${i.email}: ${i.status}`,
      ),
    );
}
