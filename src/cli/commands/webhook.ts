import { type Command, InvalidArgumentError } from "commander";
import { OPERATOR } from "../../access/access-scope.js";
import { CLI } from "../../audit/audit-log.js";
import type { Services } from "../../services.js";
import { createWebhook } from "../../webhooks/create-webhook.js";
import { deleteWebhook } from "../../webhooks/delete-webhook.js";
import { enableWebhook } from "../../webhooks/enable-webhook.js";
import { listDeliveries } from "../../webhooks/list-deliveries.js";
import { listWebhooks } from "../../webhooks/list-webhooks.js";
import { rotateWebhookSecret } from "../../webhooks/rotate-webhook-secret.js";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../webhook-outbox/webhook-events.js";
import type { DeliveryView, WebhookView } from "../../webhooks/webhook-view.js";
import { requireWorkspace } from "../../workspaces/find-workspace.js";
import { withServices } from "../run-command.js";

/** `--events a,b` (commas or spaces), or `all`: each a catalogued event type, else a usage error. */
function eventList(value: string): WebhookEventType[] {
  const names = value.split(/[\s,]+/).filter(Boolean);
  if (names.length === 1 && names[0] === "all") return [...WEBHOOK_EVENT_TYPES];
  const unknown = names.filter((n) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(n));
  if (!names.length || unknown.length) {
    throw new InvalidArgumentError(`${unknown.length ? `unknown event ${unknown.join(", ")}; ` : ""}use all, or any of ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  }
  return names as WebhookEventType[];
}

function positiveLimit(value: string): number {
  const n = Number(value);
  if (!/^[0-9]{1,3}$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError("Use a whole number from 1 to 100.");
  return n;
}

/** What `webhook add` and `webhook rotate-secret` print: the only time the signing secret is shown. */
function issued({ webhook, secret }: { webhook: WebhookView; secret: string }) {
  return { ...webhook, secret };
}

const showIssued = (w: ReturnType<typeof issued>) =>
  [
    `Webhook ${w.id} → ${w.url} (${w.events.join(" ")}) in workspace ${w.workspace_id}`,
    `signing secret: ${w.secret}`,
    ...(w.previous_secret_expires_at ? [`The previous secret keeps signing alongside it until ${w.previous_secret_expires_at}.`] : []),
    "Store this secret now: it is not shown again.",
  ].join("\n");

const showList = ({ webhooks }: { webhooks: WebhookView[] }) =>
  webhooks.length === 0
    ? "No webhook endpoints."
    : webhooks.map((w) => [w.id, w.status, w.url, w.events.join(","), `secret ${w.secret_hint}`, w.disabled_reason ?? ""].filter(Boolean).join("  ")).join("\n");

const showDeliveries = ({ deliveries }: { deliveries: DeliveryView[]; has_more: boolean }) =>
  deliveries.length === 0
    ? "No deliveries."
    : deliveries
        .map((d) =>
          [
            [d.id, d.status, d.event_type, d.event_id, d.created_at, `${d.attempt_count} attempt(s)`].join("  "),
            ...d.attempts.map((a) => `  ${a.started_at}  ${a.outcome}  ${a.response_status ?? "-"}  ${a.duration_ms} ms${a.error ? `  ${a.error}` : ""}`),
          ].join("\n"),
        )
        .join("\n");

/** `webhook add | list | rotate-secret | enable | remove | deliveries`: a workspace's webhook endpoints. */
export function webhookCommands(program: Command): void {
  const webhook = program.command("webhook").description("manage webhook endpoints (signed event deliveries to your own systems)");
  const deps = (services: Services) => services.webhooks;

  webhook
    .command("add")
    .description("add an endpoint; its signing secret is printed once")
    .requiredOption("--workspace <id>", "workspace id")
    .requiredOption("--url <url>", "https://… (http:// only for a loopback host)")
    .requiredOption("--events <list>", `all, or any of ${WEBHOOK_EVENT_TYPES.join(", ")}, comma-separated`, eventList)
    .option("--description <text>", "what the endpoint is for")
    .action(
      withServices(async (ctx, opts: { workspace: string; url: string; events: WebhookEventType[]; description?: string }) => {
        const workspace = await requireWorkspace(ctx.db, opts.workspace);
        return issued(await createWebhook(deps(ctx), OPERATOR, workspace.id, { url: opts.url, events: opts.events, description: opts.description ?? null }, CLI));
      }, showIssued),
    );

  webhook
    .command("list")
    .description("list a workspace's endpoints (never their secrets)")
    .requiredOption("--workspace <id>", "workspace id")
    .action(
      withServices(async (ctx, opts: { workspace: string }) => {
        const workspace = await requireWorkspace(ctx.db, opts.workspace);
        return { webhooks: await listWebhooks(deps(ctx), OPERATOR, workspace.id) };
      }, showList),
    );

  webhook
    .command("rotate-secret")
    .description("give an endpoint a new signing secret; the old one keeps signing alongside it for 24 hours")
    .requiredOption("--id <id>", "webhook id")
    .action(withServices(async (ctx, opts: { id: string }) => issued(await rotateWebhookSecret(deps(ctx), OPERATOR, opts.id, CLI)), showIssued));

  webhook
    .command("enable")
    .description("enable an endpoint that was disabled after repeated failures")
    .requiredOption("--id <id>", "webhook id")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => enableWebhook(deps(ctx), OPERATOR, opts.id, CLI),
        (w) => `Webhook ${w.id}: ${w.status}`,
      ),
    );

  webhook
    .command("remove")
    .description("delete an endpoint: nothing more is sent to it")
    .requiredOption("--id <id>", "webhook id")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => {
          await deleteWebhook(deps(ctx), OPERATOR, opts.id, CLI);
          return { id: opts.id, status: "deleted" };
        },
        (r) => `Webhook ${r.id}: ${r.status}`,
      ),
    );

  webhook
    .command("deliveries")
    .description("an endpoint's recent deliveries, newest first, with every attempt")
    .argument("<id>", "webhook id")
    .option("--limit <n>", "how many (1 to 100)", positiveLimit, 20)
    .action((id: string, opts: { limit: number }, cmd: Command) =>
      withServices(async (ctx, o: { id: string; limit: number }) => {
        const page = await listDeliveries(deps(ctx), OPERATOR, o.id, { limit: o.limit });
        return { deliveries: page.data, has_more: page.has_more };
      }, showDeliveries)({ id, limit: opts.limit }, cmd),
    );
}
