import type { Command } from "commander";
import { CLI } from "../../audit/audit-log.js";
import type { ClientView } from "../../oauth/clients/client-view.js";
import { createClient, type IssuedClient } from "../../oauth/clients/create-client.js";
import { deleteClient } from "../../oauth/clients/delete-client.js";
import { listClients } from "../../oauth/clients/list-clients.js";
import { rotateClientSecret } from "../../oauth/clients/rotate-client-secret.js";
import { withServices } from "../run-command.js";

interface CreateOptions {
  name: string;
  redirectUri: string[];
  scopes?: string;
  public?: boolean;
  logoUri?: string;
  homepage?: string;
  requirePar?: boolean;
  requireDpop?: boolean;
}

/** What `client create` and `client rotate-secret` print: the only time the secret is shown (null when public). */
interface IssuedResult {
  client_id: string;
  client_secret: string | null;
}

const issued = ({ client, clientSecret }: IssuedClient): IssuedResult => ({ client_id: client.client_id, client_secret: clientSecret });

const showIssued = (r: IssuedResult) =>
  r.client_secret === null
    ? `client_id: ${r.client_id}\nPublic client: no secret; PKCE protects its codes.`
    : `client_id: ${r.client_id}\nclient_secret: ${r.client_secret}\nStore this secret now: it is not shown again.`;

const showList = ({ clients }: { clients: ClientView[] }) =>
  clients.length === 0
    ? "No clients."
    : clients
        .map((c) => [c.client_id, c.status, c.public ? "public" : "confidential", JSON.stringify(c.name), c.scopes.join(" "), c.redirect_uris.join(" ")].join("  "))
        .join("\n");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `client create | list | rotate-secret | delete`: the third-party apps approved to connect (OAuth clients). */
export function clientCommands(program: Command): void {
  const client = program.command("client").description("manage approved apps (OAuth clients)");

  client
    .command("create")
    .description("register an app; its secret is printed once")
    .requiredOption("--name <name>", "the name people see on the consent page")
    .requiredOption("--redirect-uri <uri>", "an exact redirect URI (repeatable); https, or http on a loopback host", collect)
    .option(
      "--scopes <scopes>",
      "space-separated scopes the app may ask for: at least one /v1 scope (default: all four); openid and offline_access are accepted and always allowed",
    )
    .option("--public", "a browser or mobile app that cannot keep a secret (no secret; PKCE only)")
    .option("--logo-uri <url>", "https URL of the app's logo, shown on the consent page")
    .option("--homepage <url>", "https URL of the app's homepage, shown on the consent page")
    .option("--require-par", "the app must push its authorization requests first (RFC 9126); plain /auth requests are refused")
    .option("--require-dpop", "every token the app gets is bound to its DPoP key (RFC 9449); token requests without a proof are refused")
    .action(
      withServices(
        async (ctx, opts: CreateOptions) =>
          issued(
            await createClient(ctx.db, {
              name: opts.name,
              redirectUris: opts.redirectUri,
              scopes: opts.scopes,
              isPublic: opts.public,
              logoUri: opts.logoUri,
              homepage: opts.homepage,
              requirePar: opts.requirePar,
              requireDpop: opts.requireDpop,
              actor: CLI,
            }),
          ),
        showIssued,
      ),
    );

  client
    .command("list")
    .description("list registered apps (never their secrets)")
    .action(withServices(async (ctx) => ({ clients: await listClients(ctx.db) }), showList));

  client
    .command("rotate-secret")
    .description("give a confidential app a new secret; the old one stops working at once")
    .requiredOption("--id <client_id>", "client id")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => issued(await rotateClientSecret({ db: ctx.db, feed: ctx.feed }, { id: opts.id, actor: CLI })),
        showIssued,
      ),
    );

  client
    .command("delete")
    .description("delete an app: it stops working and every authorization it holds is revoked")
    .requiredOption("--id <client_id>", "client id")
    .action(
      withServices(
        async (ctx, opts: { id: string }) => {
          const view = await deleteClient({ db: ctx.db, feed: ctx.feed }, { id: opts.id, actor: CLI });
          return { id: view.client_id, status: view.status };
        },
        (r) => `Client ${r.id}: ${r.status}`,
      ),
    );
}
