/**
 * OAuth benchmarks.
 *
 *   obtainAccessToken(): an access token from a running server, through the real connect flow (the main
 *     benchmark, scripts/bench.ts, measures GET /v1/workspace with it against /health).
 *   benchRefresh(): refresh-grant throughput of the provider on our Prisma storage against the same
 *     provider configuration on oidc-provider's in-memory adapter, in one run, as a ratio.
 *
 * `tsx scripts/bench-oauth.ts` runs benchRefresh() alone.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Provider from "oidc-provider";
import type { Adapter } from "oidc-provider";
import { CLI } from "../src/audit/audit-log.js";
import { loadConfig } from "../src/config.js";
import { type AppContext, buildContext } from "../src/context.js";
import { createDb, type Db } from "../src/db/client.js";
import { createLogger } from "../src/logger.js";
import { createClient } from "../src/oauth/clients/create-client.js";
import { findProviderClient } from "../src/oauth/clients/provider-client.js";
import { ProviderClientCache } from "../src/oauth/clients/provider-client-cache.js";
import { buildProvider } from "../src/oauth/oauth-server.js";
import { prismaAdapter } from "../src/oauth/prisma-adapter.js";
import { loadProviderKeys } from "../src/oauth/provider-keys.js";
import { v1Resource } from "../src/scopes/scopes.js";
import { connect } from "../test/support/connect-flow.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Independent refresh chains run at once (each refresh needs the token the previous one returned). */
const CHAINS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const REDIRECT_URI = "http://127.0.0.1:9/callback";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Registers a bench app and connects it to the user's workspace through the running server at `issuer`
 * (sign-in, consent, code exchange, as an app would); returns the access token.
 */
export async function obtainAccessToken(options: {
  issuer: string;
  ctx: AppContext;
  user: { email: string; password: string };
}): Promise<string> {
  const issued = await createClient(options.ctx.db, { name: "Bench App", redirectUris: [REDIRECT_URI], actor: CLI });
  const { tokens } = await connect({
    issuer: options.issuer,
    client: { id: issued.client.client_id, secret: issued.clientSecret, redirectUri: REDIRECT_URI },
    user: options.user,
    scope: "subscribers:read tags:read",
  });
  return tokens.access_token;
}

interface Variant {
  name: string;
  url: string;
  provider: Provider;
  server: http.Server;
}

async function listenOn(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A second client on the same database, made the way the server makes its own (createDb), that counts every SQL
 * statement it runs (at its driver adapter, so Prisma's queries, `$queryRaw` and read-rows.ts alike), so the bench
 * can report statements per refresh grant. The application's own client is left as it is.
 */
async function countingDb(url: string): Promise<{ db: Db; statements: () => number; record: (on: boolean) => string[] }> {
  let count = 0;
  let recorded: string[] | undefined;
  const db = await createDb(url, {
    onStatement: (sql) => {
      count++;
      recorded?.push(sql.replace(/\s+/g, " ").replace(/`main`\./g, "").slice(0, 110));
    },
  });
  const record = (on: boolean) => {
    const done = recorded ?? [];
    recorded = on ? [] : undefined;
    return done;
  };
  return { db, statements: () => count, record };
}

/** One provider, identical configuration, on the given storage, behind its own HTTP server. */
async function startVariant(name: string, ctx: AppContext, storage: "prisma" | "memory", db: Db = ctx.db): Promise<Variant> {
  const { server, url } = await listenOn();
  const provider = buildProvider({
    issuer: url,
    db,
    keys: await loadProviderKeys(ctx.db, ctx.config),
    sessionTtlSeconds: 3600,
    adapter:
      storage === "prisma"
        ? prismaAdapter(db, new ProviderClientCache(db, ctx.feed), { onConcurrentRedemption: async () => undefined })
        : undefined,
  });
  server.on("request", provider.callback());
  return { name, url, provider, server };
}

/**
 * Starts one refresh chain: a grant and its first refresh token, minted directly in the provider's storage,
 * with the grant's link in the authorized-apps registry as consent would write it (the token endpoint reads
 * the workspace claim from it).
 */
async function mintRefreshToken(variant: Variant, clientId: string, accountId: string, authorizedAppId: string, db: Db): Promise<string> {
  const { provider } = variant;
  const resource = v1Resource(variant.url);
  const grant = new provider.Grant({ accountId, clientId });
  grant.addOIDCScope("offline_access");
  grant.addResourceScope(resource, "subscribers:read tags:read");
  const grantId = await grant.save();
  await db.authorizedAppGrant.create({ data: { grantId, authorizedAppId, scopes: "subscribers:read tags:read" } });
  const client = await provider.Client.find(clientId);
  if (!client) throw new Error("bench client not found");
  const token = new provider.RefreshToken({
    accountId,
    client,
    grantId,
    gty: "authorization_code",
    scope: "offline_access subscribers:read tags:read",
    resource,
    expiresWithSession: false,
    rotations: 0,
  } as unknown as ConstructorParameters<typeof provider.RefreshToken>[0]);
  return token.save();
}

/** Refreshes as fast as the chains allow for SECONDS; returns refreshes per second and how many were done. */
async function refreshThroughput(
  variant: Variant,
  clientId: string,
  secret: string,
  tokens: string[],
  /** Stop after this many refreshes (all chains together) instead of at the deadline. */
  most = Infinity,
): Promise<{ rps: number; done: number }> {
  const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    tokens.map(async (_, chain) => {
      while (Date.now() < deadline && done < most) {
        const res = await fetch(`${variant.url}/token`, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens[chain] }).toString(),
        });
        const body = (await res.json()) as { refresh_token?: string; error?: string };
        if (!res.ok || !body.refresh_token) throw new Error(`${variant.name}: refresh failed: ${body.error}`);
        tokens[chain] = body.refresh_token;
        done++;
      }
    }),
  );
  return { rps: done / SECONDS, done };
}

/**
 * Prints refresh-grant throughput on Prisma storage and on the in-memory adapter, their ratio, and the SQL
 * statements the Prisma side runs per grant (everything the provider does for it: client, account, grant, tokens).
 */
export async function benchRefresh(
  /** A database to run on (an empty PostgreSQL database, say); a new SQLite file when omitted. */
  databaseUrl?: string,
): Promise<{ prisma: number; memory: number; ratio: number; statementsPerGrant: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wa-bench-oauth-"));
  const url = databaseUrl ?? `file:${path.join(dir, "bench.db")}`;
  const config = loadConfig({ NODE_ENV: "production", DATABASE_URL: url, LOG_LEVEL: "warn" });
  const ctx = await buildContext(config, { logger: createLogger("warn"), migrate: true });
  const counting = await countingDb(url);
  const variants: Variant[] = [];
  try {
    const user = await ctx.db.user.create({ data: { email: "refresh-bench@example.test", passwordHash: "unused" } });
    const issued = await createClient(ctx.db, { name: "Refresh Bench", redirectUris: [REDIRECT_URI], actor: CLI });
    const clientId = issued.client.client_id;
    const workspace = await ctx.db.workspace.create({ data: { name: "Refresh Bench" } });
    const record = await ctx.db.authorizedApp.create({
      data: { clientId, workspaceId: workspace.id, approvedById: user.id, scopes: "subscribers:read tags:read", activeKey: `${clientId}:${workspace.id}` },
    });
    // As in a server: the change feed runs, so cached clients are trusted (and dropped when one changes).
    await ctx.feed.start();
    const secret = issued.clientSecret!;
    variants.push(
      await startVariant("Prisma adapter", ctx, "prisma", counting.db),
      await startVariant("in-memory adapter", ctx, "memory"),
    );
    // The in-memory adapter has no client table: give it the same metadata the Prisma adapter reads.
    const metadata = await findProviderClient(ctx.db, clientId);
    const memoryClients = (variants[1].provider.Client as unknown as { adapter: Adapter }).adapter;
    await memoryClients.upsert(clientId, metadata!);

    const chains = new Map<Variant, string[]>();
    for (const v of variants) {
      chains.set(v, await Promise.all(Array.from({ length: CHAINS }, () => mintRefreshToken(v, clientId, user.id, record.id, ctx.db))));
    }
    console.log(`\nRefresh grant: ${ROUNDS} alternating rounds of ${SECONDS} s, ${CHAINS} concurrent chains, 127.0.0.1`);
    const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    let prismaGrants = 0;
    const statementsBefore = counting.statements();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of variants) {
        const { rps, done } = await refreshThroughput(v, clientId, secret, chains.get(v)!);
        if (v === variants[0]) prismaGrants += done;
        samples.get(v)!.push(rps);
        console.log(`  round ${round} ${v.name.padEnd(18)} ${rps.toFixed(0)} refreshes/s`);
      }
    }
    const prisma = median(samples.get(variants[0])!);
    const memory = median(samples.get(variants[1])!);
    const ratio = prisma / memory;
    // Background work of the Prisma variant (none runs here: no housekeeping) would also count; the
    // provider's own client is the counting one, so this is every statement the grants caused.
    const statementsPerGrant = (counting.statements() - statementsBefore) / prismaGrants;
    counting.record(true);
    await refreshThroughput({ ...variants[0] }, clientId, secret, chains.get(variants[0])!.slice(0, 1), 1);
    console.log(`  the statements of one refresh grant:\n${counting.record(false).map((q) => `    ${q}`).join("\n")}`);
    console.log(`  medians: Prisma ${prisma.toFixed(0)}/s, in-memory ${memory.toFixed(0)}/s, ratio Prisma/in-memory ${ratio.toFixed(3)}`);
    console.log(`  SQL statements per refresh grant (Prisma adapter): ${statementsPerGrant.toFixed(1)}`);
    return { prisma, memory, ratio, statementsPerGrant };
  } finally {
    for (const v of variants) {
      v.server.closeAllConnections();
      v.server.close();
    }
    await counting.db.$disconnect();
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchRefresh().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
