/**
 * Prints the top of a `perf record` of our server (`node --perf-basic-prof`, so JIT-compiled functions have names):
 * self time per symbol and per group, in microseconds of CPU per request and as a share of the samples.
 *
 * Why beside profile-top.ts: V8's sampling profiler charges the time a native call takes to the JavaScript frame
 * around it, and on these machines it also misplaces samples. Profiling a page of subscribers, `node --cpu-prof`
 * gave 30 % of busy time to libsql's `iterate`/`next`; perf, sampling the CPU itself, put libsql's native code
 * (SQLite included) at 6–7 % in two runs, and showed where the rest went (the kernel sending the body, JSON, malloc).
 *
 *   tsx scripts/perf-top.ts <perf.data> <requests during the recording> [rows]
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { groupOf } from "./profile-top.js";

/** The sampling frequency bench.ts records at (perf record -F). */
export const PERF_HZ = 999;

/** A group for one perf symbol: our folder or npm package for JavaScript, otherwise the part of the runtime. */
function perfGroup(dso: string, symbol: string): string {
  if (dso === "[kernel.kallsyms]") return "kernel (syscalls, TCP on loopback)";
  if (dso === "index.node") return "libsql native (SQLite)";
  if (dso.startsWith("libc.so")) return "libc (malloc, memcpy, locks)";
  const js = /^JS:\S+ (?:.*? )?(\S*):\d+:\d+$/.exec(symbol);
  if (js) return js[1] ? groupOf(js[1], symbol) : "JavaScript without a file";
  if (symbol.startsWith("RegExp:")) return "regular expressions";
  if (/Scaveng|Marking|MarkCompact|Sweep|Evacuat|Heap::|GCTracer|RecordWrite/.test(symbol)) return "GC";
  if (/Json/.test(symbol)) return "V8 JSON (parse, stringify)";
  if (/String/.test(symbol)) return "V8 strings (internalizing, hashing, UTF-8)";
  if (symbol.startsWith("Builtins_")) return "V8 builtins";
  if (symbol.startsWith("v8::")) return "V8 runtime (other)";
  if (symbol.startsWith("node::") || symbol.startsWith("uv_") || symbol.startsWith("llhttp")) return "node and libuv";
  return dso;
}

/**
 * The top `rows` symbols and groups of `dataFile` (perf.data), each as µs of CPU per request (samples at PERF_HZ
 * over `requests`, the requests served while perf recorded) and as a share of all samples.
 */
export function perfTop(dataFile: string, requests: number, rows = 15): string {
  const report = execFileSync(
    "perf",
    ["report", "-i", dataFile, "--no-children", "--sort", "dso,sym", "--stdio", "-g", "none", "-F", "sample,dso,sym"],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] },
  );
  const symbols = new Map<string, number>();
  const groups = new Map<string, number>();
  let total = 0;
  for (const line of report.split("\n")) {
    const match = /^\s+(\d+)\s+(.+?)\s+\[[.k]\]\s+(.*)$/.exec(line);
    if (!match) continue;
    const samples = Number(match[1]);
    const dso = match[2].trim();
    const symbol = match[3].trim();
    total += samples;
    symbols.set(symbol, (symbols.get(symbol) ?? 0) + samples);
    const group = perfGroup(dso, symbol);
    groups.set(group, (groups.get(group) ?? 0) + samples);
  }
  const perRequest = (samples: number) => ((samples / PERF_HZ) * 1e6) / requests;
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, samples]) => `  ${perRequest(samples).toFixed(1).padStart(6)} µs  ${((100 * samples) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 110)}`)
      .join("\n");
  return `perf: ${total} samples, ${perRequest(total).toFixed(0)} µs of CPU per request (${requests} requests)
Top ${rows} symbols (self):\n${top(symbols)}\nBy group (self):\n${top(groups)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2]) {
  console.log(perfTop(process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 15)));
}
