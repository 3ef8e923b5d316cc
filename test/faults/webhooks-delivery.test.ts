import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { OPERATOR } from "../../src/access/access-scope.js";
import { CLI } from "../../src/audit/audit-log.js";
import { loadConfig } from "../../src/config.js";
import { type AppContext, buildContext } from "../../src/context.js";
import { createLogger } from "../../src/logger.js";
import { createWebhook } from "../../src/webhooks/create-webhook.js";
import { tempDir } from "../support/app.js";
import { createPostgresDatabase, postgresAdminUrl, type TestDatabase } from "../support/database.js";
import { makeKey, makeWorkspace } from "../support/fixtures.js";
import { type NodeProcess, startNode } from "../support/node-process.js";

// The outbox under real faults: server processes killed with SIGKILL mid-attempt, events committed while no
// server runs, and two servers sharing one PostgreSQL outbox. Events are committed by the test's own context (as
// the CLI would: it queues, servers send), and a real receiver verifies every request with the Standard Webhooks
// reference library.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Short waits so a lost lease or a retry comes round within a test; the lease still outlasts the attempt. */
const WORKER_ENV = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
  WEBHOOK_POLL_INTERVAL_MS: "200",
  WEBHOOK_TIMEOUT_MS: "1500",
  WEBHOOK_LEASE_MS: "3000",
  WEBHOOK_RETRY_SCHEDULE: "300ms,300ms,300ms,300ms,300ms",
};

interface Receipt {
  id: string;
  at: number;
  body: string;
}

/**
 * A customer's receiver on 127.0.0.1. It verifies each request's signature (a bad one is answered 401 and counted),
 * can be told to hold requests without answering (a receiver that hangs), answers after `delayMs`, and records how
 * many requests for one event id were in flight at once.
 */
class Receiver {
  readonly receipts: Receipt[] = [];
  readonly inFlight = new Map<string, number>();
  maxInFlightPerEvent = 0;
  badSignatures = 0;
  hold = false;
  delayMs = 0;
  held = 0;
  /** The client ports of the requests being held, to find the process that sent them. */
  readonly heldPorts: number[] = [];
  secret = "";
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<Receiver> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const receiver = new Receiver(server);
    server.on("request", (req, res) => receiver.handle(req, res));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const id = headers["webhook-id"];
      if (this.hold) {
        this.held++;
        this.heldPorts.push(req.socket.remotePort ?? 0);
        return; // never answers: the sender's attempt is in flight until it times out or dies
      }
      try {
        new Webhook(this.secret).verify(body, headers);
      } catch {
        this.badSignatures++;
        return void res.writeHead(401).end();
      }
      const now = (this.inFlight.get(id) ?? 0) + 1;
      this.inFlight.set(id, now);
      this.maxInFlightPerEvent = Math.max(this.maxInFlightPerEvent, now);
      const answer = () => {
        this.inFlight.set(id, (this.inFlight.get(id) ?? 1) - 1);
        this.receipts.push({ id, at: Date.now(), body });
        res.writeHead(204).end();
      };
      if (this.delayMs) setTimeout(answer, this.delayMs);
      else answer();
    });
  }

  ids(): string[] {
    return this.receipts.map((r) => r.id);
  }

  async until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what} (receipts: ${this.receipts.length}, held: ${this.held})`);
      await sleep(25);
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The test's own context: no delivery worker (like the CLI), so what it commits is sent by the servers only. */
async function operatorContext(databaseUrl: string): Promise<AppContext> {
  return buildContext(loadConfig({ NODE_ENV: "test", DATABASE_URL: databaseUrl, ...WORKER_ENV }), { logger: createLogger("silent"), migrate: true });
}

/** A workspace with one webhook to the receiver for api_key.created; the receiver learns its secret. */
async function hookedWorkspace(ctx: AppContext, receiver: Receiver): Promise<string> {
  const workspace = await makeWorkspace(ctx);
  const { secret } = await createWebhook(ctx.webhooks, OPERATOR, workspace.id, { url: receiver.url, events: ["api_key.created"] }, CLI);
  receiver.secret = secret;
  return workspace.id;
}

/** The event ids queued for a workspace, oldest first. */
async function queuedEventIds(ctx: AppContext, workspaceId: string): Promise<string[]> {
  const events = await ctx.db.webhookEvent.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, select: { id: true } });
  return events.map((e) => e.id);
}

/**
 * Which of `pids` owns the TCP connection whose local port is `port` (Linux: the socket's inode in /proc/net/tcp*,
 * then the process whose file descriptors include that socket).
 */
function ownerOfConnection(port: number, pids: number[]): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let inode: string | undefined;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hexPort}`)) inode = fields[9];
    }
  }
  if (!inode) return undefined;
  return pids.find((pid) =>
    fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    }),
  );
}

/** Waits until the event's delivery has `status` (the sender records it just after the receiver answers). */
async function waitForStatus(ctx: AppContext, eventId: string, status: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
    const delivery = await ctx.db.webhookDelivery.findFirstOrThrow({ where: { eventId } });
    if (delivery.status === status) return;
    if (Date.now() > deadline) throw new Error(`delivery of ${eventId} is ${delivery.status}, not ${status}`);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

describe("webhook delivery through server crashes (SQLite)", () => {
  let dir: string;
  let url: string;
  let ctx: AppContext;
  let receiver: Receiver;
  let node: NodeProcess | undefined;
  const serverEnv = () => ({ DATABASE_URL: url, ISSUER: "http://127.0.0.1:3999", ...WORKER_ENV });

  beforeAll(async () => {
    dir = tempDir("wa-webhook-faults-");
    url = `file:${path.join(dir, "app.db")}`;
    ctx = await operatorContext(url);
    receiver = await Receiver.start();
  }, 60_000);

  afterEach(async () => {
    if (node?.child.exitCode === null) await node.stop();
  });

  afterAll(async () => {
    await ctx?.close();
    await receiver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when the server is killed with SIGKILL while an attempt is in flight, then the restarted server delivers the event, same webhook-id, signed", async () => {
    const workspaceId = await hookedWorkspace(ctx, receiver);
    receiver.hold = true;
    node = await startNode("A", serverEnv());
    await makeKey(ctx, workspaceId); // committed: api_key.created is in the outbox
    const [eventId] = await queuedEventIds(ctx, workspaceId);
    await receiver.until("the attempt is in flight", () => receiver.held >= 1);
    node.child.kill("SIGKILL");
    await new Promise((resolve) => node!.child.once("exit", resolve));
    receiver.hold = false;

    node = await startNode("A again", serverEnv());
    await receiver.until("the event is delivered", () => receiver.ids().includes(eventId));
    expect(receiver.badSignatures).toBe(0);
    // The killed attempt recorded nothing; the one after restart records its success (just after the receipt).
    await waitForStatus(ctx, eventId, "succeeded");
    const attempts = await ctx.db.webhookAttempt.findMany({ where: { delivery: { eventId } } });
    expect(attempts.map((a) => a.outcome)).toEqual(["succeeded"]);
  }, 120_000);

  test("when events are committed while no server runs, then the next server to start delivers every one of them", async () => {
    const workspaceId = await hookedWorkspace(ctx, receiver);
    for (let i = 0; i < 5; i++) await makeKey(ctx, workspaceId);
    const queued = await queuedEventIds(ctx, workspaceId);
    expect(queued).toHaveLength(5);
    await sleep(500);
    expect(receiver.ids().filter((id) => queued.includes(id))).toEqual([]); // nobody sends while no server runs

    node = await startNode("B", serverEnv());
    await receiver.until("all five are delivered", () => queued.every((id) => receiver.ids().includes(id)));
    expect(receiver.badSignatures).toBe(0);
  }, 120_000);
});

const adminUrl = postgresAdminUrl();
const onPostgres = adminUrl ? describe : describe.skip;

onPostgres("webhook delivery from two server processes sharing one PostgreSQL outbox (runs only with TEST_DATABASE_URL)", () => {
  let database: TestDatabase;
  let ctx: AppContext;
  let receiver: Receiver;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl!);
    ctx = await operatorContext(database.url);
    receiver = await Receiver.start();
    const env = { DATABASE_URL: database.url, ISSUER: "http://127.0.0.1:3999", ...WORKER_ENV };
    nodes = await Promise.all([startNode("A", env), startNode("B", env)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => (n.child.exitCode === null ? n.stop() : null)));
    await ctx?.close();
    await receiver?.close();
    await database?.drop();
  });

  test("when 100 events are queued, then both nodes deliver each one, never the same event twice at the same time; latency is reported", async () => {
    const workspaceId = await hookedWorkspace(ctx, receiver);
    receiver.delayMs = 150; // each answer takes a while, so two claims of one row would overlap
    const committedAt = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const before = new Set(await queuedEventIds(ctx, workspaceId));
      await makeKey(ctx, workspaceId);
      const at = Date.now();
      for (const id of await queuedEventIds(ctx, workspaceId)) if (!before.has(id)) committedAt.set(id, at);
    }
    expect(committedAt.size).toBe(100);
    await receiver.until("all 100 are delivered", () => [...committedAt.keys()].every((id) => receiver.ids().includes(id)), 60_000);
    await sleep(1000); // a duplicate would arrive now, if there were one

    expect(receiver.badSignatures).toBe(0);
    expect(receiver.maxInFlightPerEvent).toBe(1);
    const counts = new Map<string, number>();
    for (const id of receiver.ids()) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...committedAt.keys()].filter((id) => counts.get(id) !== 1)).toEqual([]); // no fault here: exactly once

    const claimedBy = await ctx.db.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS n FROM "WebhookAttempt"`;
    expect(Number(claimedBy[0].n)).toBe(100);
    const latencies = [...committedAt].map(([id, at]) => receiver.receipts.find((r) => r.id === id)!.at - at).sort((a, b) => a - b);
    console.log(
      `[figure] webhook delivery latency, commit by another process -> receipt (poll ${WORKER_ENV.WEBHOOK_POLL_INTERVAL_MS} ms, ` +
        `receiver answers in ${receiver.delayMs} ms), 100 events over two PostgreSQL nodes: median ${percentile(latencies, 0.5)} ms, ` +
        `p95 ${percentile(latencies, 0.95)} ms, worst ${latencies[latencies.length - 1]} ms`,
    );
  }, 180_000);

  test("when the node whose attempt is in flight is killed with SIGKILL, then the other node delivers the event once the lease ends", async () => {
    const workspaceId = await hookedWorkspace(ctx, receiver);
    receiver.delayMs = 0;
    receiver.hold = true;
    receiver.held = 0;
    receiver.heldPorts.length = 0;
    await makeKey(ctx, workspaceId);
    const [eventId] = await queuedEventIds(ctx, workspaceId);
    await receiver.until("an attempt is in flight", () => receiver.held >= 1);
    const sender = ownerOfConnection(receiver.heldPorts[0], nodes.map((n) => n.child.pid!));
    expect(sender).toBeDefined();
    const [victim, survivor] = nodes[0].child.pid === sender ? [nodes[0], nodes[1]] : [nodes[1], nodes[0]];
    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    receiver.hold = false;
    await receiver.until("the event is delivered by the surviving node", () => receiver.ids().includes(eventId), 30_000);
    const waited = receiver.receipts.find((r) => r.id === eventId)!.at - killedAt;
    console.log(`[figure] webhook event redelivered by ${survivor.name} ${waited} ms after ${victim.name} was killed mid-attempt (lease ${WORKER_ENV.WEBHOOK_LEASE_MS} ms)`);
    expect(receiver.badSignatures).toBe(0);
    expect(receiver.ids().filter((id) => id === eventId)).toHaveLength(1);
    await waitForStatus(ctx, eventId, "succeeded");
    const attempts = await ctx.db.webhookAttempt.findMany({ where: { delivery: { eventId } } });
    expect(attempts.map((a) => a.outcome)).toEqual(["succeeded"]); // the killed attempt never recorded
  }, 120_000);
});
