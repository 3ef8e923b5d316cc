import type { Command } from "commander";
import { CLI } from "../../audit/audit-log.js";
import type { AuthorizedAppView } from "../../authorized-apps/authorized-app-view.js";
import { describeRevoker } from "../../authorized-apps/describe-revoker.js";
import { listAuthorizedApps } from "../../authorized-apps/list-authorized-apps.js";
import { revokeAuthorizedApp } from "../../authorized-apps/revoke-authorized-app.js";
import { requireWorkspace } from "../../workspaces/find-workspace.js";
import { withServices } from "../run-command.js";
import { OPERATOR, workspaceScope } from "../../access/access-scope.js";

/** One line of `app list`: the registry record, without the workspace name; `scopes` is the union over live grants. */
function listed(app: AuthorizedAppView) {
  return {
    id: app.id,
    client_id: app.client_id,
    app_name: app.app_name,
    workspace_id: app.workspace_id,
    scopes: app.scopes,
    authorized_at: app.authorized_at,
    last_used_at: app.last_used_at,
    status: app.status,
    revoked_at: app.revoked_at,
    revoked_by: app.revoked_by,
    revoked_by_name: app.revoked_by_name,
    revoked_reason: app.revoked_reason,
  };
}

const showList = ({ apps }: { apps: ReturnType<typeof listed>[] }) =>
  apps.length === 0
    ? "No connected apps."
    : apps
        .map((a) =>
          [a.id, a.status, JSON.stringify(a.app_name), a.client_id, a.scopes.join(" "), `last used ${a.last_used_at ?? "never"}`, describeRevoker(a)]
            .filter(Boolean)
            .join("  "),
        )
        .join("\n");

/** `app list | revoke`: the authorized-apps registry (which app may use which workspace). */
export function appCommands(program: Command): void {
  const app = program.command("app").description("manage apps connected to workspaces (the authorized-apps registry)");

  app
    .command("list")
    .description("list the apps connected to a workspace, revoked ones included")
    .requiredOption("--workspace <id>", "workspace id")
    .action(
      withServices(async (ctx, opts: { workspace: string }) => {
        const workspace = await requireWorkspace(ctx.db, opts.workspace);
        return { apps: (await listAuthorizedApps(ctx.db, { scope: workspaceScope([workspace.id]) })).map(listed) };
      }, showList),
    );

  app
    .command("revoke")
    .description("disconnect an app from a workspace: its tokens stop working (revoking twice succeeds)")
    .requiredOption("--id <id>", "authorized app id (from app list)")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => {
          const view = await revokeAuthorizedApp({ db: ctx.db, feed: ctx.feed }, { id: opts.id, scope: OPERATOR, by: "user", actor: CLI });
          return { id: view.id, status: view.status };
        },
        (r) => `Authorized app ${r.id}: ${r.status}`,
      ),
    );
}
