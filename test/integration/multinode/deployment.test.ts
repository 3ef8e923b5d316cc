import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../../support/app.js";
import { startNode } from "../../support/node-process.js";
import { ROOT } from "../../support/root.js";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The Dockerfile's last stage (the image that runs), with line continuations joined. */
function runtimeStage(): string {
  const joined = read("Dockerfile").replace(/\\\n\s*/g, " ");
  return joined.slice(joined.lastIndexOf("\nFROM "));
}

/** `ENV A=1 B=2` lines of a stage, as a map. */
function envOf(stage: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stage.matchAll(/^ENV (.+)$/gm)) {
    for (const pair of line[1].matchAll(/([A-Z_]+)=(\S+)/g)) env[pair[1]] = pair[2];
  }
  return env;
}

/** The exec-form JSON array of an instruction (`CMD [...]`, `HEALTHCHECK ... CMD [...]`). */
function execForm(stage: string, instruction: RegExp): string[] {
  const match = instruction.exec(stage);
  if (!match) throw new Error(`no ${instruction} in the Dockerfile's last stage`);
  return JSON.parse(match[1]) as string[];
}

function run(command: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    execFile(command[0], command.slice(1), { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 }, (err) =>
      resolve(err ? (typeof err.code === "number" ? err.code : 1) : 0),
    );
  });
}

describe("the Dockerfile", () => {
  const stage = runtimeStage();

  test("when its image runs, then it is a non-root user listening on all interfaces with the SQLite data on a volume", () => {
    expect(stage).toMatch(/^USER node$/m);
    expect(envOf(stage)).toMatchObject({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000", DATABASE_URL: "file:/data/app.db" });
    expect(stage).toMatch(/^VOLUME \/data$/m);
    // npm ci in the build stage generates the clients and compiles dist/ through postinstall.
    expect(JSON.parse(read("package.json")).scripts.postinstall).toMatch(/generate.*build/);
  });

  test("when the files the image copies are looked up, then each exists and none is excluded from the build context", () => {
    const ignored = read(".dockerignore").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    const copied = [...stage.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].map((m) => m[1]);
    expect(copied).toEqual(expect.arrayContaining(["dist", "node_modules", "prisma", "views", "public", "bin"]));
    for (const entry of copied.filter((c) => !["dist", "node_modules"].includes(c))) {
      expect(fs.existsSync(path.join(ROOT, entry))).toBe(true);
      expect(ignored).not.toContain(entry);
    }
    // What postinstall needs to build inside the image.
    for (const needed of ["src", "prisma", "prisma.config.ts", "tsconfig.json", "tsconfig.build.json", "package-lock.json"]) {
      expect(ignored).not.toContain(needed);
    }
  });

  test("when its CMD runs on a fresh database, then migrations are applied and its HEALTHCHECK passes; once stopped, the check fails", async () => {
    const cmd = execForm(stage, /^CMD (\[.+\])$/m);
    const healthcheck = execForm(stage, /^HEALTHCHECK .*?CMD (\[.+\])$/m);
    expect(cmd).toEqual(["node", "dist/main.js"]);
    if (!fs.existsSync(path.join(ROOT, "dist", "main.js"))) throw new Error("dist/ is missing: run `npm run build` (postinstall does)");

    const dir = tempDir("wa-docker-");
    try {
      // The image's environment, but on 127.0.0.1, a free port and a temp database.
      const env = { ...envOf(stage), HOST: "127.0.0.1", PORT: "0", DATABASE_URL: `file:${path.join(dir, "app.db")}` };
      const node = await startNode("image", env, [process.execPath, ...cmd.slice(1)]);
      const port = new URL(node.url).port;
      try {
        expect(node.logs.join("\n")).toMatch(/applied database migrations/);
        expect(await run([process.execPath, ...healthcheck.slice(1)], { PORT: port })).toBe(0);
      } finally {
        expect(await node.stop()).toBe(0);
      }
      expect(await run([process.execPath, ...healthcheck.slice(1)], { PORT: port })).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
