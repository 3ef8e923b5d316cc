import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "../../../src/audit/audit-log.js";
import { createClient } from "../../../src/oauth/clients/create-client.js";
import { startTestServer, type TestServer } from "../../support/app.js";
import { authorize, HttpBrowser } from "../../support/connect-flow.js";
import { makeKey, makeUser, makeWorkspace } from "../../support/fixtures.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** The first python3 on this machine that has requests and Authlib (Debian's python3-requests, python3-authlib). */
const python = ["python3", "/usr/bin/python3"].find(
  (bin) => spawnSync(bin, ["-c", "import requests, authlib"], { stdio: "ignore" }).status === 0,
);
const withPython = python ? test : test.skip;

let t: TestServer;
let env: Record<string, string>;
let user: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await startTestServer();
  user = await makeUser(t.ctx);
  const ws = await makeWorkspace(t.ctx, "Example Co", [{ userId: user.id, role: "owner" }]);
  const { key } = await makeKey(t.ctx, ws.id, "read_write");
  const issued = await createClient(t.ctx.db, { name: "Example App", redirectUris: [REDIRECT_URI], actor: CLI });
  env = {
    BASE_URL: t.url,
    API_KEY: key,
    CLIENT_ID: issued.client.client_id,
    CLIENT_SECRET: issued.clientSecret ?? "",
    REDIRECT_URI,
    // Authlib refuses plain http unless told: the test server is on 127.0.0.1.
    AUTHLIB_INSECURE_TRANSPORT: "1",
  };
});
afterAll(() => t.close());

function start(command: string, file: string): ChildProcess {
  return spawn(command, [path.join(root, "examples", file)], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs an example to its end; the person's part of an OAuth flow (sign in, allow) is done for it. */
async function run(command: string, file: string): Promise<string> {
  const child = start(command, file);
  let out = "";
  let err = "";
  let answered = false;
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const first = out.split("\n")[0];
    if (!answered && first.startsWith(`${t.url}/auth?`) && out.includes("\n")) {
      answered = true;
      void authorize(new HttpBrowser(), new URL(first), REDIRECT_URI, { user, decision: "allow" }).then((outcome) => {
        child.stdin?.end(outcome.kind === "callback" ? `${outcome.url.href}\n` : "no callback\n");
      });
    }
  });
  if (!file.includes("oauth")) child.stdin?.end();
  const code = await exit;
  if (code !== 0) throw new Error(`${file} exited with ${code}:\n${out}\n${err}`);
  return out;
}

describe("the README's examples", () => {
  test.each(["api_key.py", "oauth_flow.py", "api-key.mjs", "oauth-flow.mjs"])(
    "when the README is read, then it holds examples/%s verbatim",
    (file) => {
      const language = file.endsWith(".py") ? "python" : "js";
      const code = fs.readFileSync(path.join(root, "examples", file), "utf8");
      expect(readme).toContain(`\`\`\`${language}\n${code}\`\`\``);
    },
  );

  withPython("when the Python API-key example runs (requests), then it reads the workspace and pages the subscribers", async () => {
    const out = await run(python!, "api_key.py");
    expect(out).toContain("workspace: Example Co");
    expect(out).toMatch(/created: |already there: duplicate_email/);
    expect(out).toContain("subscriber: grace@example.com ['newsletter']");
  });

  withPython("when the Python OAuth example runs (Authlib), then the person's approval gets it a token for /v1", async () => {
    const out = await run(python!, "oauth_flow.py");
    expect(out).toContain("scopes: ");
    expect(out).toContain("workspace: Example Co");
  });

  test("when the JavaScript API-key example runs (fetch), then it reads the workspace and pages the tags", async () => {
    const out = await run(process.execPath, "api-key.mjs");
    expect(out).toContain("workspace: Example Co");
    expect(out).toContain("tag: vip");
  });

  test("when the JavaScript OAuth example runs (openid-client), then the person's approval gets it a token for /v1", async () => {
    const out = await run(process.execPath, "oauth-flow.mjs");
    expect(out).toContain("workspace: Example Co");
  });
});
