import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../support/app.js";
import { startNode } from "../support/node-process.js";
import { ROOT } from "../support/root.js";

const GRACE_MS = 5_000;

/** True while a process with this id exists and has not exited (a zombie has exited). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** `npm start` exactly as the README says to run it, stopped the way a process manager stops it. */
async function stopNpmStart(signal: NodeJS.Signals): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, "dist", "main.js"))) throw new Error("dist/ is missing: run `npm run build` (postinstall does)");
  const dir = tempDir("wa-npm-start-");
  try {
    const npm = await startNode(`npm start (${signal})`, { DATABASE_URL: `file:${path.join(dir, "app.db")}`, SHUTDOWN_GRACE_MS: String(GRACE_MS) }, [
      "npm",
      "start",
    ]);
    const listening = npm.logs.map((l) => /"pid":(\d+).*"msg":"workspace-auth listening"/.exec(l)).find(Boolean);
    const serverPid = Number(listening?.[1]);
    expect(serverPid).toBeGreaterThan(0);
    expect(running(serverPid)).toBe(true);
    expect((await fetch(`${npm.url}/health`)).status).toBe(200);

    const signalled = Date.now();
    const npmExited = new Promise<number | null>((resolve) => npm.child.on("exit", (code) => resolve(code)));
    // To the npm process only, as a process manager that tracks the pid it started does.
    npm.child.kill(signal);
    const code = await npmExited;
    while (running(serverPid) && Date.now() - signalled < GRACE_MS + 1_000) await new Promise((r) => setTimeout(r, 50));
    const serverGone = !running(serverPid);
    if (!serverGone) process.kill(serverPid, "SIGKILL");
    console.log(`[figure] npm start + ${signal} to npm: npm exit ${code}, server pid ${serverPid} gone after ${Date.now() - signalled} ms: ${serverGone}`);
    expect(serverGone).toBe(true);
    expect(code).toBe(0);
    expect(npm.logs.join("\n")).toMatch(new RegExp(`"signal":"${signal}".*shutting down`));
    await expect(fetch(`${npm.url}/health`)).rejects.toThrow();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("npm start, stopped by a signal to the npm process", () => {
  test("when npm gets SIGTERM, then the server drains and exits with it, leaving no process", () => stopNpmStart("SIGTERM"));
  test("when npm gets SIGINT, then the server drains and exits with it, leaving no process", () => stopNpmStart("SIGINT"));
});
