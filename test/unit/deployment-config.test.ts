import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../../src/config.js";
import { ROOT } from "../support/root.js";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Every setting the server reads, from the config schema's keys. */
function configVariables(): string[] {
  return [...read("src/config.ts").matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
}

describe("compose.yaml", () => {
  const compose = read("compose.yaml");
  /** The `environment:` block of the shared node definition (`x-node`), as key → value. */
  const nodeEnv = (() => {
    const block = /^x-node: &node\n([\s\S]*?)\n(?=\S)/m.exec(compose)?.[1] ?? "";
    const environment = /^ {2}environment:\n((?: {4}.*\n?)+)/m.exec(block)?.[1] ?? "";
    const env: Record<string, string> = {};
    for (const m of environment.matchAll(/^ {4}([A-Z_]+): (.+)$/gm)) env[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
    return env;
  })();
  const services = [...(/^services:\n([\s\S]*?)\n(?=\S)/m.exec(compose)?.[1] ?? "").matchAll(/^ {2}([a-z][a-z0-9-]*):$/gm)].map((m) => m[1]);

  test("when its services are listed, then there are PostgreSQL, two nodes built from the Dockerfile, and a balancer", () => {
    expect(services.sort()).toEqual(["balancer", "node-a", "node-b", "postgres"]);
    expect(compose).toMatch(/^ {2}node-a:\n {4}<<: \*node$/m);
    expect(compose).toMatch(/^ {2}node-b:\n {4}<<: \*node$/m);
    expect(compose).toMatch(/^ {2}build: \.$/m);
    expect(compose).toMatch(/image: postgres:15/);
  });

  test("when the nodes' environment is read, then every variable is one the server knows and the whole parses as a valid config", () => {
    const known = configVariables();
    expect(Object.keys(nodeEnv).length).toBeGreaterThan(3);
    for (const name of Object.keys(nodeEnv)) expect(known).toContain(name);
    // Compose substitution, done by hand for the defaults and required values.
    const env = Object.fromEntries(
      Object.entries(nodeEnv).map(([k, v]) => [k, v.replace(/\$\{(\w+):\?[^}]*\}/g, "secret").replace(/\$\{\w+:-([^}]*)\}/g, "$1")]),
    );
    const config = loadConfig(env);
    expect(config).toMatchObject({ issuer: "http://localhost:8080", trustProxy: true, trustProxyHops: 1, host: "0.0.0.0" });
    expect(config.databaseUrl).toBe("postgres://workspace_auth:secret@postgres:5432/workspace_auth");
  });

  test("when the balancer's nginx configuration is read, then it sends to both nodes' port and escapes its variables from compose", () => {
    const nginx = /^ {4}content: \|\n((?: {6}.*\n?|\n)+)/m.exec(compose)?.[1] ?? "";
    expect(nginx).toMatch(/server node-a:3000\b/);
    expect(nginx).toMatch(/server node-b:3000\b/);
    expect(nodeEnv.PORT).toBe("3000");
    expect(nginx).toMatch(/X-Forwarded-For \$\$proxy_add_x_forwarded_for/);
    // A single `$` would be replaced by compose (with an empty string) before nginx ever saw it.
    expect(nginx.replace(/\$\$/g, "")).not.toMatch(/\$/);
    expect(nginx).toMatch(/location = \/metrics/);
  });
});

describe(".env.example", () => {
  test("when every setting the server reads is looked up, then each one is documented", () => {
    const documented = read(".env.example");
    // NODE_ENV is the platform's convention, not a setting of ours.
    for (const name of configVariables().filter((n) => n !== "NODE_ENV")) expect(documented).toMatch(new RegExp(`^#? ?${name}=`, "m"));
  });
});
