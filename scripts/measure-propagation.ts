/**
 * How long a revocation takes to reach another node: two server processes (dist/main.js) on one fresh
 * PostgreSQL database; 50 times, a key is checked on B (so B caches it), revoked through A's /api, and B is
 * asked until it answers 401. Prints the median and the worst, measured from sending the revocation to A and
 * from A's answer.
 *
 *   source scripts/ci-postgres.sh && ci_postgres_start   # or any PostgreSQL admin URL in TEST_DATABASE_URL
 *   npm run measure:propagation                          # builds, then runs this script
 *
 * Settings: TEST_DATABASE_URL (required: an admin URL; a database is created and dropped), TRIES (default 50).
 */
import path from "node:path";
import { CLI } from "../src/audit/audit-log.js";
import { createApiKey } from "../src/api-keys/create-api-key.js";
import { loadConfig } from "../src/config.js";
import { buildContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { hashPassword } from "../src/users/passwords.js";
import { createPostgresDatabase } from "../test/support/database.js";
import { msUntilStatus, signInAdmin, v1Status } from "../test/integration/multinode/admin-session.js";
import { startNode } from "../test/support/node-process.js";
import { ROOT } from "../test/support/root.js";

const TRIES = Number(process.env.TRIES ?? 50);

function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return `${label}: median ${median.toFixed(1)} ms, worst ${sorted[sorted.length - 1].toFixed(1)} ms, best ${sorted[0].toFixed(1)} ms`;
}

async function main(): Promise<number> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    process.stderr.write("measure-propagation: set TEST_DATABASE_URL to a PostgreSQL admin URL (see scripts/ci-postgres.sh)\n");
    return 2;
  }
  const database = await createPostgresDatabase(adminUrl);
  const env = { DATABASE_URL: database.url, ISSUER: "http://127.0.0.1:3000", RATE_LIMIT_PER_MINUTE: "100000000" };
  const command = [process.execPath, path.join(ROOT, "dist", "main.js")];
  const [a, b] = await Promise.all([startNode("A", env, command), startNode("B", env, command)]);
  const config = loadConfig({ DATABASE_URL: database.url, ARGON2_MEMORY_KIB: "19456", ARGON2_ITERATIONS: "2" });
  const admin = await buildContext(config, { logger: createLogger("silent") });
  try {
    const password = "measure propagation password";
    const user = await admin.db.user.create({ data: { email: "operator@example.test", passwordHash: await hashPassword(password, config.argon2) } });
    const workspace = await admin.db.workspace.create({ data: { name: "Propagation", memberships: { create: { userId: user.id, role: "owner" } } } });
    const session = await signInAdmin(a.url, { email: user.email, password });

    const fromRequest: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 0; i < TRIES; i++) {
      const created = await createApiKey(admin.apiKeys, { workspaceId: workspace.id, name: `try ${i}`, access: "read_only", expiresAt: null, actor: CLI });
      const key = created.key!;
      if ((await v1Status(b.url, key)) !== 200) throw new Error("B did not accept the new key");
      const sent = performance.now();
      const revoked = await session.post(`/api/api-keys/${created.apiKey.id}/revoke`);
      const answered = performance.now();
      if (revoked.status !== 200) throw new Error(`revocation through A answered ${revoked.status}`);
      const total = await msUntilStatus(b.url, key, 401, sent);
      fromRequest.push(total);
      fromAnswer.push(Math.max(0, total - (answered - sent)));
    }
    console.log(`revocation through node A -> first 401 on node B, ${TRIES} tries (PostgreSQL, LISTEN/NOTIFY + ${admin.config.cachePollIntervalMs} ms poll)`);
    console.log(summary("  from sending the revocation to A", fromRequest));
    console.log(summary("  from A's answer                 ", fromAnswer));
    return 0;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await admin.close();
    await database.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`measure-propagation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
