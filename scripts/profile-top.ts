/**
 * Prints the top of a V8 CPU profile (`node --cpu-prof`): self time per function, as a share of busy time
 * (idle and program excluded), and the same grouped by package or source folder.
 *
 *   tsx scripts/profile-top.ts <file.cpuprofile> [rows] [skip ms]
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  startTime: number;
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** A folder-level name for a source URL: the npm package, our src/ folder, or node's internals. */
export function groupOf(url: string, name: string): string {
  if (name === "(garbage collector)") return "GC";
  if (!url) return name.startsWith("(") ? name : "native";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  const ours = /\/(?:dist|src)\/(.+?)(?:\/[^/]+)?$/.exec(url);
  return ours ? `ours:${ours[1].split("/")[0]}` : url;
}

/**
 * The top `rows` functions and groups by self time, as percentages of busy CPU; samples in the first
 * `skipMs` (start-up: module loading, migrations) are left out.
 */
export function profileTop(file: string, rows = 10, skipMs = 0): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= skipMs * 1000) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const fns = new Map<string, number>();
  const groups = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    busy += us;
    const short = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(dist|src)\//, "$1/");
    const name = `${functionName || "(anonymous)"} ${short}${short ? `:${lineNumber + 1}` : ""}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
  }
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`)
      .join("\n");
  return `busy CPU ${(busy / 1e6).toFixed(1)} s\nTop ${rows} functions (self time):\n${top(fns)}\nTop ${rows} packages/folders (self time):\n${top(groups)}`;
}

// Only when run as a script: bench.ts imports this file, and its own arguments (`--postgres`) are no profile.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2]) {
  console.log(profileTop(process.argv[2], Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 0)));
}
