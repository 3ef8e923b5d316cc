import { createDb } from "../../../src/db/client.js";
import { purgeExpired } from "../../../src/housekeeping/purge-expired.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeUser } from "../../support/fixtures.js";

const HOUR = 3600_000;

/** Expired and live rows of every kind the purge handles, named `<prefix>-old-…` and `<prefix>-live-…`. */
async function seed(t: TestApp, prefix: string, expiredEach = 1): Promise<void> {
  const user = await makeUser(t.ctx);
  const past = new Date(Date.now() - HOUR);
  const future = new Date(Date.now() + HOUR);
  const old = Array.from({ length: expiredEach }, (_, i) => `${prefix}-old-${i}`);
  await t.ctx.db.webSession.createMany({
    data: [...old.map((id) => ({ id, userId: user.id, expiresAt: past })), { id: `${prefix}-live-session`, userId: user.id, expiresAt: future }],
  });
  await t.ctx.db.oidcModel.createMany({
    data: [
      ...old.flatMap((id) => ["Interaction", "Session", "AccessToken", "AuthorizationCode"].map((type) => ({ id, type, payload: "{}", expiresAt: past }))),
      { id: `${prefix}-live-interaction`, type: "Interaction", payload: "{}", expiresAt: future },
      { id: `${prefix}-live-token`, type: "AccessToken", payload: "{}", expiresAt: future },
      { id: `${prefix}-live-forever`, type: "Grant", payload: "{}", expiresAt: null },
    ],
  });
}

async function left(t: TestApp, prefix: string): Promise<{ sessions: string[]; oauth: string[] }> {
  const where = { id: { startsWith: `${prefix}-` } };
  const sessions = await t.ctx.db.webSession.findMany({ where, select: { id: true } });
  const oauth = await t.ctx.db.oidcModel.findMany({ where, select: { id: true, type: true } });
  return { sessions: sessions.map((s) => s.id).sort(), oauth: oauth.map((o) => `${o.type}:${o.id}`).sort() };
}

const LIVE = {
  sessions: ["p-live-session"],
  oauth: ["AccessToken:p-live-token", "Grant:p-live-forever", "Interaction:p-live-interaction"],
};

describe("purge of expired sessions and OAuth rows", () => {
  test("when the server runs, then its periodic purge removes expired sessions, interactions and OAuth artifacts and keeps live ones", async () => {
    const t = await startTestApp({ PURGE_INTERVAL_MS: "200" });
    try {
      await seed(t, "p");
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await left(t, "p")).sessions.length > 1) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 400));
      expect(await left(t, "p")).toEqual(LIVE);
    } finally {
      await t.close();
    }
  });

  test("when no purge interval has passed, then expired rows are still there (the twin: the server did the removing)", async () => {
    const t = await startTestApp({ PURGE_INTERVAL_MS: "600000" });
    try {
      await seed(t, "p");
      await new Promise((r) => setTimeout(r, 600));
      expect((await left(t, "p")).sessions).toHaveLength(2);
    } finally {
      await t.close();
    }
  });

  test("when two nodes purge more than a batch at once, then each expired row is deleted exactly once and live rows stay", async () => {
    const t = await startTestApp();
    const other = await createDb(t.config.databaseUrl);
    try {
      await seed(t, "p", 700);
      const [a, b] = await Promise.all([purgeExpired(t.ctx.db), purgeExpired(other)]);
      console.log(`[figure] two concurrent purges of 700 sessions and 2,800 OAuth rows: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
      expect(a.sessions + b.sessions).toBe(700);
      expect(a.oauthArtifacts + b.oauthArtifacts).toBe(2_800);
      expect(await left(t, "p")).toEqual(LIVE);
      expect(await purgeExpired(t.ctx.db)).toEqual({ sessions: 0, oauthArtifacts: 0, dpopProofs: 0 });
    } finally {
      await other.$disconnect();
      await t.close();
    }
  });
});
