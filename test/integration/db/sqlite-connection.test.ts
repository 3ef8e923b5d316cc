import fs from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { createDb, type Db } from "../../../src/db/client.js";
import { migrate } from "../../../src/db/migrate.js";
import { OwnedSqliteClient, SQLITE_BUSY_TIMEOUT_MS, type SyncFile } from "../../../src/db/sqlite-connection.js";
import { DatabaseBusyError } from "../../../src/db/sqlite-lock-wait.js";
import { tempDir } from "../../support/app.js";

/** This process's descriptors on files whose path contains `name`. */
function descriptorsOn(name: string): number {
  return fs.readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).includes(name);
    } catch {
      return false;
    }
  }).length;
}

const pragma = async (db: Db, name: string) => Object.values((await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0])[0];

describe("the SQLite connection the app uses", () => {
  let dir: string;
  let file: string;
  let url: string;
  let db: Db;
  beforeEach(async () => {
    dir = tempDir("wa-conn-");
    file = path.join(dir, "conn.db");
    url = `file:${file}`;
    await migrate(url);
    db = await createDb(url);
  });
  afterEach(async () => {
    await db.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("when transactions have run, then the connection still has every setting and the descriptors on the file did not grow", async () => {
    // The file, -wal and -shm of our connection, plus those of the migration's closed connection, which libSQL
    // releases only when garbage collection finalizes its statements.
    const before = descriptorsOn("conn.db");
    for (let i = 0; i < 100; i++) await db.$transaction(async (tx) => tx.workspace.create({ data: { name: `w${i}` } }));
    expect(Number(await pragma(db, "busy_timeout"))).toBe(SQLITE_BUSY_TIMEOUT_MS);
    expect(Number(await pragma(db, "foreign_keys"))).toBe(1);
    // NORMAL: the client syncs the WAL itself after each commit (tested below).
    expect(Number(await pragma(db, "synchronous"))).toBe(1);
    expect(await pragma(db, "journal_mode")).toBe("wal");
    expect(before).toBeLessThanOrEqual(6);
    expect(descriptorsOn("conn.db")).toBeLessThanOrEqual(before);
  });

  test("when another process holds the write lock past the wait, then a transaction fails with DatabaseBusyError (503) without freezing the event loop, and succeeds once the lock is free", async () => {
    const other = createClient({ url });
    await other.execute("BEGIN IMMEDIATE");
    let longestGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, performance.now() - last);
      last = performance.now();
    }, 5);
    const started = performance.now();
    const failure = await db.$transaction(async (tx) => tx.workspace.create({ data: { name: "blocked" } })).catch((e: unknown) => e);
    const waited = performance.now() - started;
    clearInterval(ticker);
    await other.execute("ROLLBACK");
    other.close();

    expect(failure).toBeInstanceOf(DatabaseBusyError);
    expect((failure as DatabaseBusyError).status).toBe(503);
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(3000);
    expect(longestGap).toBeLessThan(250);
    await expect(db.$transaction(async (tx) => tx.workspace.create({ data: { name: "free" } }))).resolves.toMatchObject({ name: "free" });
  });

  test("when a single write outside a transaction meets a held lock, then it fails as 503 too, and the next write works", async () => {
    const other = createClient({ url });
    await other.execute("BEGIN IMMEDIATE");
    const failure = await db.workspace.create({ data: { name: "blocked" } }).catch((e: unknown) => e);
    await other.execute("ROLLBACK");
    other.close();
    expect((failure as { code?: string }).code).toBe("service_unavailable");
    await expect(db.workspace.create({ data: { name: "free" } })).resolves.toMatchObject({ name: "free" });
  });

  test("when a COMMIT fails, then the transaction is rolled back and the write lock released", async () => {
    const client = new OwnedSqliteClient(url, 1000);
    const other = createClient({ url });
    try {
      const tx = await client.transaction("deferred");
      // Deferred foreign keys are checked at COMMIT: a genuine failing commit.
      await tx.execute("PRAGMA defer_foreign_keys = ON");
      await tx.execute(`INSERT INTO "Membership" (id, workspaceId, userId, role) VALUES ('m', 'nowhere', 'nobody', 'owner')`);
      await expect(tx.commit()).rejects.toThrow(/FOREIGN KEY/);

      await other.execute("BEGIN IMMEDIATE");
      await other.execute("ROLLBACK");
      const next = await client.transaction("deferred");
      await next.execute(`INSERT INTO "Workspace" (id, name) VALUES ('after', 'after')`);
      await next.commit();
      const rows = await other.execute(`SELECT (SELECT count(*) FROM "Membership") AS m, (SELECT count(*) FROM "Workspace" WHERE id = 'after') AS w`);
      expect([Number(rows.rows[0].m), Number(rows.rows[0].w)]).toEqual([0, 1]);
    } finally {
      other.close();
      client.close();
    }
  });

  test("when a BEGIN failed busy and was abandoned, then later transactions on the connection still commit", async () => {
    const client = new OwnedSqliteClient(url, 50);
    const other = createClient({ url });
    try {
      await other.execute("BEGIN IMMEDIATE");
      await expect(client.transaction("deferred")).rejects.toBeInstanceOf(DatabaseBusyError);
      await other.execute("ROLLBACK");
      const tx = await client.transaction("deferred");
      await tx.execute(`INSERT INTO "Workspace" (id, name) VALUES ('w', 'w')`);
      await expect(tx.commit()).resolves.toBeUndefined();
    } finally {
      other.close();
      client.close();
    }
  });

  describe("when a write commits", () => {
    /** A sync that records which file it synced, and holds the WAL's until `releaseWal` is called. */
    function heldWalSync() {
      const synced: string[] = [];
      let releaseWal: () => void = () => undefined;
      const walGate = new Promise<void>((resolve) => (releaseWal = resolve));
      const sync: SyncFile = async (file) => {
        const target = fs.readlinkSync(`/proc/self/fd/${file.fd}`);
        synced.push(target);
        if (target.endsWith("-wal")) await walGate;
        else await file.datasync();
      };
      return { synced, sync, releaseWal: () => releaseWal() };
    }

    const settledAfter = async (promise: Promise<unknown>, ms: number) => {
      let settled = false;
      void promise.then(() => (settled = true), () => (settled = true));
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      await new Promise((resolve) => setTimeout(resolve, ms));
      clearInterval(ticker);
      return { settled, ticks };
    };

    test.each([
      ["a single write", (client: OwnedSqliteClient) => client.execute(`INSERT INTO "Workspace" (id, name) VALUES ('single', 's')`)],
      [
        "a transaction",
        async (client: OwnedSqliteClient) => {
          const tx = await client.transaction("deferred");
          await tx.execute(`INSERT INTO "Workspace" (id, name) VALUES ('in-tx', 't')`);
          await tx.commit();
        },
      ],
    ])("when %s commits, then the caller hears of it only once the WAL file is synced, and the process runs on meanwhile", async (_, write) => {
      const { synced, sync, releaseWal } = heldWalSync();
      const client = new OwnedSqliteClient(url, 1000, sync);
      try {
        const written = write(client);
        const meanwhile = await settledAfter(written, 150);
        expect(meanwhile.settled).toBe(false);
        // The event loop was not held by the sync: timers kept firing.
        expect(meanwhile.ticks).toBeGreaterThan(5);
        expect(synced).toEqual([dir, `${file}-wal`]);
        releaseWal();
        await expect(written).resolves.not.toThrow();
      } finally {
        client.close();
      }
    });

    test("when a commit is waiting for its sync, then a read asked to run at once declines, and after it sees the write", async () => {
      const { sync, releaseWal } = heldWalSync();
      const client = new OwnedSqliteClient(url, 1000, sync);
      const count = { sql: `SELECT count(*) FROM "Workspace" WHERE id = ?`, args: ["held"] };
      try {
        await client.execute("SELECT 1");
        expect(client.readIfIdle(count)?.rows).toEqual([[0]]);
        const written = client.execute(`INSERT INTO "Workspace" (id, name) VALUES ('held', 'h')`);
        expect((await settledAfter(written, 100)).settled).toBe(false);
        // Committed but not yet on disk: no read of this process may see it, so none runs now.
        expect(client.readIfIdle(count)).toBeUndefined();
        releaseWal();
        await written;
        expect(client.readIfIdle(count)?.rows).toEqual([[1]]);
      } finally {
        client.close();
      }
    });

    test("when a transaction is open, then a read asked to run at once declines; a write statement never runs that way", async () => {
      const client = new OwnedSqliteClient(url, 1000);
      try {
        await client.execute("SELECT 1");
        const tx = await client.transaction("deferred");
        await tx.execute(`INSERT INTO "Workspace" (id, name) VALUES ('uncommitted', 'u')`);
        expect(client.readIfIdle({ sql: `SELECT count(*) FROM "Workspace"`, args: [] })).toBeUndefined();
        await tx.rollback();
        expect(client.readIfIdle({ sql: `SELECT count(*) FROM "Workspace" WHERE id = ?`, args: ["uncommitted"] })?.rows).toEqual([[0]]);
        expect(client.readIfIdle({ sql: `INSERT INTO "Workspace" (id, name) VALUES ('now', 'n')`, args: [] })).toBeUndefined();
        expect(client.readIfIdle({ sql: `SELECT count(*) FROM "Workspace" WHERE id = ?`, args: ["now"] })?.rows).toEqual([[0]]);
      } finally {
        client.close();
      }
    });

    test("when the WAL sync fails, then the write is reported failed and the next write works on a fresh connection", async () => {
      let fail = true;
      const client = new OwnedSqliteClient(url, 1000, async (handle) => {
        if (fail && fs.readlinkSync(`/proc/self/fd/${handle.fd}`).endsWith("-wal")) {
          fail = false;
          throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
        }
        await handle.datasync();
      });
      try {
        await expect(client.execute(`INSERT INTO "Workspace" (id, name) VALUES ('unsure', 'u')`)).rejects.toMatchObject({ code: "EIO" });
        await expect(client.execute(`INSERT INTO "Workspace" (id, name) VALUES ('next', 'n')`)).resolves.toMatchObject({ rowsAffected: 1 });
      } finally {
        client.close();
      }
    });
  });
});
