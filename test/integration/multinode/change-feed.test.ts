import pg from "pg";
import { type ChangeKind, ChangeFeed } from "../../../src/change-feed/change-feed.js";
import { PostgresChangeNotifier } from "../../../src/change-feed/postgres-change-notifier.js";
import { createLogger } from "../../../src/logger.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { postgresAdminUrl } from "../../support/database.js";
import { setTimeout as sleep } from "node:timers/promises";

const silent = createLogger("silent");

/** A feed that never polls by itself (the test calls poll) and records what it delivers. */
function recordingFeed(t: TestApp, notifier?: PostgresChangeNotifier) {
  const feed = new ChangeFeed(t.ctx.db, silent, 600_000, notifier);
  const seen: string[] = [];
  let resets = 0;
  feed.onChange((kind, id, source) => seen.push(`${source}:${kind}:${id}`));
  feed.onReset(() => resets++);
  return { feed, seen, resets: () => resets };
}

async function newestSeq(t: TestApp): Promise<number> {
  return (await t.ctx.db.credentialEvent.findFirst({ orderBy: { seq: "desc" } }))?.seq ?? 0;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(5);
  }
  return Date.now() - started;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
// Explicit seq values do not move PostgreSQL's sequence: move it past them so later inserts do not collide.
afterEach(async () => {
  if (!postgresAdminUrl()) return;
  await t.ctx.db.$queryRawUnsafe(
    `SELECT setval(pg_get_serial_sequence('"CredentialEvent"', 'seq'), (SELECT COALESCE(MAX(seq), 1) FROM "CredentialEvent"))`,
  );
});

describe("the credential change feed", () => {
  test("when an entry commits below one already read (a late commit), then the next poll still delivers it, once", async () => {
    const { feed, seen } = recordingFeed(t);
    await feed.start();
    try {
      const base = await newestSeq(t);
      // Explicit numbers stand for PostgreSQL handing out seq at insert and committing in another order.
      await t.ctx.db.credentialEvent.create({ data: { seq: base + 3, kind: "api_key", targetId: "late-3" } });
      await feed.poll();
      expect(seen).toEqual(["feed:api_key:late-3"]);
      await t.ctx.db.credentialEvent.create({ data: { seq: base + 1, kind: "api_key", targetId: "late-1" } });
      await feed.poll();
      await feed.poll();
      expect(seen).toEqual(["feed:api_key:late-3", "feed:api_key:late-1"]);
    } finally {
      await feed.stop();
    }
  });

  test("when entries were still committing as the feed started, then they are delivered when they appear", async () => {
    const base = await newestSeq(t);
    await t.ctx.db.credentialEvent.create({ data: { seq: base + 2, kind: "grant", targetId: "newest" } });
    const { feed, seen } = recordingFeed(t);
    await feed.start();
    try {
      await t.ctx.db.credentialEvent.create({ data: { seq: base + 1, kind: "grant", targetId: "was-in-flight" } });
      await feed.poll();
      expect(seen).toEqual(["feed:grant:was-in-flight"]);
    } finally {
      await feed.stop();
    }
  });

  test("when the sequence jumps by more holes than can be tracked, then every cache is reset instead", async () => {
    const { feed, seen, resets } = recordingFeed(t);
    await feed.start();
    try {
      const base = await newestSeq(t);
      await t.ctx.db.credentialEvent.create({ data: { seq: base + 5000, kind: "client", targetId: "far" } });
      await feed.poll();
      expect(seen).toEqual(["feed:client:far"]);
      expect(resets()).toBe(1);
    } finally {
      await feed.stop();
    }
  });

  test("when a poll fails, then the next successful poll resets every cache; while polls succeed, none is reset", async () => {
    let failNext = false;
    const events = t.ctx.db.credentialEvent;
    const flaky = {
      credentialEvent: {
        findFirst: events.findFirst.bind(events),
        findMany: (args: Parameters<typeof events.findMany>[0]) => {
          if (!failNext) return events.findMany(args);
          failNext = false;
          return Promise.reject(new Error("connection terminated"));
        },
        deleteMany: events.deleteMany.bind(events),
      },
    };
    const feed = new ChangeFeed(flaky as unknown as typeof t.ctx.db, silent, 600_000);
    let resets = 0;
    feed.onReset(() => resets++);
    await feed.start();
    try {
      await feed.poll();
      expect(resets).toBe(0);
      failNext = true;
      await feed.poll();
      expect(resets).toBe(0);
      await feed.poll();
      expect(resets).toBe(1);
    } finally {
      await feed.stop();
    }
  });

  test("when a change is emitted locally, then listeners hear it at once as local", async () => {
    const { feed, seen } = recordingFeed(t);
    feed.emit("authorized_app" as ChangeKind, "rec-1");
    expect(seen).toEqual(["local:authorized_app:rec-1"]);
  });
});

const adminUrl = postgresAdminUrl();
const onPostgres = adminUrl ? describe : describe.skip;

onPostgres("the credential change feed on PostgreSQL (skipped without TEST_DATABASE_URL)", () => {
  test("when two transactions commit in the opposite order of their seq, then no entry is skipped", async () => {
    const { feed, seen } = recordingFeed(t);
    await feed.start();
    const first = new pg.Client({ connectionString: t.config.databaseUrl });
    const second = new pg.Client({ connectionString: t.config.databaseUrl });
    await first.connect();
    await second.connect();
    try {
      await first.query("BEGIN");
      await first.query(`INSERT INTO "CredentialEvent" (kind, "targetId") VALUES ('api_key', 'slow')`);
      await second.query(`INSERT INTO "CredentialEvent" (kind, "targetId") VALUES ('api_key', 'fast')`);
      await feed.poll();
      expect(seen).toEqual(["feed:api_key:fast"]);
      await first.query("COMMIT");
      await feed.poll();
      expect(seen).toEqual(["feed:api_key:fast", "feed:api_key:slow"]);
    } finally {
      await first.end();
      await second.end();
      await feed.stop();
    }
  });

  test("when another process emits a change, then a listening feed hears it long before its next poll", async () => {
    const listening = recordingFeed(t, new PostgresChangeNotifier(t.config.databaseUrl, t.ctx.db, silent));
    const sending = new ChangeFeed(t.ctx.db, silent, 600_000, new PostgresChangeNotifier(t.config.databaseUrl, t.ctx.db, silent));
    await listening.feed.start();
    try {
      await t.ctx.db.credentialEvent.create({ data: { kind: "api_key", targetId: "notified" } });
      sending.emit("api_key", "notified");
      const took = await waitFor(() => listening.seen.includes("feed:api_key:notified"), 1000);
      expect(took).toBeLessThan(1000);
    } finally {
      await listening.feed.stop();
    }
  });

  test("when the listening connection is terminated, then the feed reconnects, resets its caches and hears changes again", async () => {
    const listening = recordingFeed(t, new PostgresChangeNotifier(t.config.databaseUrl, t.ctx.db, silent));
    const sending = new ChangeFeed(t.ctx.db, silent, 600_000, new PostgresChangeNotifier(t.config.databaseUrl, t.ctx.db, silent));
    await listening.feed.start();
    const admin = new pg.Client({ connectionString: t.config.databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(1);
      await waitFor(() => listening.resets() >= 1, 5000);

      await t.ctx.db.credentialEvent.create({ data: { kind: "api_key", targetId: "after-reconnect" } });
      sending.emit("api_key", "after-reconnect");
      await waitFor(() => listening.seen.includes("feed:api_key:after-reconnect"), 1000);
    } finally {
      await admin.end();
      await listening.feed.stop();
    }
  });
});
