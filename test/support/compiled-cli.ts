import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./root.js";

/** The compiled admin CLI, run as operators run it (`workspace-auth …`, i.e. bin/workspace-auth.js). */
export const BIN = path.join(ROOT, "bin", "workspace-auth.js");

/** The newest modification time under `dir` (recursively). */
function newest(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((m, e) => Math.max(m, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs), 0);
}

/**
 * Compiles dist/ from the sources under test, so the compiled CLI runs this checkout's code; skipped when dist/ is
 * newer than every source (CI's `npm install` has just built it). Call it in a `beforeAll` with a long timeout.
 */
export function buildDist(): Promise<void> {
  const main = path.join(ROOT, "dist", "cli", "main.js");
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs > newest(path.join(ROOT, "src"))) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], { cwd: ROOT }, (err, stdout) =>
      err ? reject(new Error(`tsc failed:\n${stdout}`)) : resolve(),
    );
  });
}
