import { type Command, Option } from "commander";
import type { ApiKeyAccess, ApiKeyView } from "../../api-keys/api-key-view.js";
import { createApiKey, type IssuedKey } from "../../api-keys/create-api-key.js";
import { listApiKeys } from "../../api-keys/list-api-keys.js";
import { revokeApiKey } from "../../api-keys/revoke-api-key.js";
import { rotateApiKey } from "../../api-keys/rotate-api-key.js";
import { OVERLAP_CHOICES, type RotationOverlap } from "../../api-keys/rotation-overlap.js";
import { updateApiKey } from "../../api-keys/update-api-key.js";
import { KEY_SCOPES as V1_SCOPES } from "../../api-keys/key-scopes.js";
import { CLI } from "../../audit/audit-log.js";
import { requireMember, requireWorkspace } from "../../workspaces/find-workspace.js";
import { parseDuration } from "../duration.js";
import { withServices } from "../run-command.js";
import { OPERATOR, workspaceScope } from "../../access/access-scope.js";

interface CreateOptions {
  workspace: string;
  name: string;
  access?: ApiKeyAccess;
  scopes?: string[];
  allowIp?: string[];
  expiresIn?: number;
  owner?: string;
}

interface UpdateOptions {
  id: string;
  name?: string;
  scopes?: string[];
  allowIp?: string[];
  allowAnyIp?: boolean;
}

/** `a,b c` → ["a", "b", "c"]: option values may be separated by commas or spaces. */
const list = (value: string) => value.split(/[\s,]+/).filter(Boolean);

const SCOPES_HELP = `any of ${V1_SCOPES.join(", ")}, comma-separated (instead of --access)`;
const ALLOW_IP_HELP = "IPv4/IPv6 addresses and CIDR ranges the key may be used from, comma-separated (at most 50)";

/** What `key create` and `key rotate` print: the only time the secret is shown. */
interface IssuedKeyResult {
  id: string;
  key: string;
  prefix: string;
  workspace_id: string;
  access: ApiKeyAccess;
  scopes: string[];
  expires_at: string | null;
  /** Set after a rotation with overlap: when the previous secret stops working. */
  previous_secret_expires_at?: string;
}

function issued({ key, apiKey }: IssuedKey): IssuedKeyResult {
  return {
    id: apiKey.id,
    key,
    prefix: apiKey.prefix,
    workspace_id: apiKey.workspace_id,
    access: apiKey.access,
    scopes: apiKey.scopes,
    expires_at: apiKey.expires_at,
    ...(apiKey.previous_secret_expires_at ? { previous_secret_expires_at: apiKey.previous_secret_expires_at } : {}),
  };
}

const showIssued = (k: IssuedKeyResult) =>
  [
    `API key ${k.id} (${k.access}: ${k.scopes.join(" ")}) in workspace ${k.workspace_id}, expires ${k.expires_at ?? "never"}`,
    `key: ${k.key}`,
    ...(k.previous_secret_expires_at ? [`The previous secret keeps working until ${k.previous_secret_expires_at}.`] : []),
    "Store this key now: it is not shown again.",
  ].join("\n");

const showList = ({ keys }: { keys: ApiKeyView[] }) => {
  if (keys.length === 0) return "No keys.";
  const row = (k: ApiKeyView) =>
    [
      k.id,
      k.prefix,
      k.status,
      k.access,
      k.scopes.join(","),
      JSON.stringify(k.name),
      k.owner?.email ?? "-",
      k.expires_at ?? "never",
      k.ip_allowlist.length ? `ip:${k.ip_allowlist.join(",")}` : "ip:any",
    ];
  return keys.map((k) => row(k).join("  ")).join("\n");
};

/** `key create | rotate | revoke | list`: workspace API keys (mrk_…). */
export function keyCommands(program: Command): void {
  const key = program.command("key").description("manage workspace API keys");

  key
    .command("create")
    .description("create a key; its secret is printed once")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--name <name>", "a name people recognise")
    .addOption(new Option("--access <level>", "what the key may do: a preset").choices(["read_only", "read_write"]))
    .addOption(new Option("--scopes <list>", SCOPES_HELP).argParser(list).conflicts("access"))
    .option("--allow-ip <list>", ALLOW_IP_HELP, list)
    .option("--expires-in <duration>", "lifetime: a number with s, m, h or d, at most 365d", parseDuration)
    .option("--owner <email>", "the member shown as the key's owner")
    .action(
      withServices(async (ctx, opts: CreateOptions) => {
        const owner = opts.owner ? (await requireMember(ctx.db, opts.workspace, opts.owner)).user : null;
        const result = await createApiKey(ctx.apiKeys, {
          workspaceId: opts.workspace,
          name: opts.name,
          access: opts.access,
          scopes: opts.scopes,
          ipAllowlist: opts.allowIp,
          expiresAt: opts.expiresIn ? new Date(Date.now() + opts.expiresIn) : null,
          ownerId: owner?.id ?? null,
          actor: CLI,
        });
        // Only a replayed idempotency key comes back without a secret, and the CLI never sends one.
        if (result.key === null) throw new Error("the key was created earlier and its secret is gone");
        return issued(result);
      }, showIssued),
    );

  key
    .command("rotate")
    .description("give a key a new secret; the old one stops working now or after an overlap")
    .requiredOption("--id <id>", "key id")
    .addOption(new Option("--overlap <when>", "when the old secret stops working").choices(OVERLAP_CHOICES).default("now"))
    .action(
      withServices(
        async (ctx, opts: { id: string; overlap: RotationOverlap }) =>
          issued(await rotateApiKey(ctx.apiKeys, { id: opts.id, scope: OPERATOR, actor: CLI, overlap: opts.overlap })),
        showIssued,
      ),
    );

  key
    .command("update")
    .description("change a key's name, permissions or IP allowlist (not its workspace or secret)")
    .requiredOption("--id <id>", "key id")
    .option("--name <name>", "a new name")
    .option("--scopes <list>", `the new scopes: ${V1_SCOPES.join(", ")}, comma-separated`, list)
    .addOption(new Option("--allow-ip <list>", `the new allowlist: ${ALLOW_IP_HELP}`).argParser(list))
    .addOption(new Option("--allow-any-ip", "remove the allowlist: any address may use the key").conflicts("allowIp"))
    .action(
      withServices(
        async (ctx, opts: UpdateOptions) =>
          updateApiKey(
            ctx.apiKeys,
            { id: opts.id, scope: OPERATOR, actor: CLI },
            { name: opts.name, scopes: opts.scopes, ipAllowlist: opts.allowAnyIp ? [] : opts.allowIp },
          ),
        (k) => `API key ${k.id} "${k.name}": ${k.access} (${k.scopes.join(" ")}), ${k.ip_allowlist.length ? `from ${k.ip_allowlist.join(", ")}` : "from any address"}`,
      ),
    );

  key
    .command("revoke")
    .description("revoke a key (revoking twice succeeds)")
    .requiredOption("--id <id>", "key id")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => {
          const view = await revokeApiKey(ctx.apiKeys, { id: opts.id, scope: OPERATOR, actor: CLI });
          return { id: view.id, status: view.status };
        },
        (r) => `API key ${r.id}: ${r.status}`,
      ),
    );

  key
    .command("list")
    .description("list a workspace's keys (never their secrets)")
    .requiredOption("--workspace <id>", "workspace id")
    .option("--search <text>", "match name, owner email or display prefix")
    .action(
      withServices(async (ctx, opts: { workspace: string; search?: string }) => {
        const workspace = await requireWorkspace(ctx.db, opts.workspace);
        return { keys: await listApiKeys(ctx.db, { scope: workspaceScope([workspace.id]), search: opts.search }) };
      }, showList),
    );
}
