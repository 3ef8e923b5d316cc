import js from "@eslint/js";
import importX, { createNodeResolver } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/**
 * The allowed folder dependencies of src/ (docs/architecture.md explains them). Each part may import only
 * itself and the parts listed; the list must stay acyclic (checked below), so a folder cycle cannot come back.
 * TO ADD A CONCEPT FOLDER (members/, invitations/, webhooks/, …): add one line `name: [what it may import]`, and
 * add `name` to the list of each part that may use it (the adapters settings/, admin-api/, cli/ usually).
 * `context.ts` may be imported anywhere as a type only (AppContext); the roots (main, app, context) import anything.
 */
const PARTS = {
  "config.ts": [],
  "logger.ts": [],
  generated: [],
  errors: [],
  "errors/render.ts": ["errors", "db", "logger.ts"],
  hashing: [],
  scopes: [],
  db: ["errors", "generated", "hashing", "logger.ts", "config.ts"],
  access: ["errors"],
  // The webhook catalogue and outbox writer: low, so the audit writer can enqueue events in the change's transaction.
  "webhook-outbox": ["db"],
  audit: ["db", "webhook-outbox"],
  security: ["db"],
  users: ["db", "errors", "config.ts"],
  "change-feed": ["db", "generated", "logger.ts"],
  "rate-limit": ["db", "errors", "logger.ts"],
  dpop: ["db", "errors", "hashing"],
  workspaces: ["access", "audit", "db", "errors", "users"],
  "api-keys": ["access", "audit", "change-feed", "db", "errors", "generated", "hashing", "scopes"],
  "authorized-apps": ["access", "audit", "change-feed", "db", "errors", "generated", "scopes"],
  oauth: ["audit", "authorized-apps", "change-feed", "config.ts", "db", "dpop", "errors", "generated", "hashing", "http", "logger.ts", "scopes", "security", "sessions", "users", "workspaces"],
  invitations: ["access", "audit", "config.ts", "db", "errors", "hashing", "logger.ts", "users", "workspaces"],
  credentials: ["api-keys", "change-feed", "db", "dpop", "errors", "generated", "logger.ts", "scopes"],
  metrics: ["change-feed", "credentials", "errors", "hashing"],
  http: ["api-keys", "config.ts", "credentials", "db", "errors", "logger.ts"],
  sessions: ["db", "errors", "hashing", "http", "users", "workspaces"],
  housekeeping: ["db", "dpop", "logger.ts", "oauth", "sessions"],
  activity: ["api-keys", "authorized-apps", "db", "http", "scopes"],
  resources: ["credentials", "db", "errors", "generated", "http", "rate-limit", "users"],
  "leaked-credentials": ["access", "api-keys", "audit", "authorized-apps", "change-feed", "config.ts", "db", "errors", "generated", "http"],
  webhooks: ["access", "audit", "config.ts", "db", "errors", "generated", "http", "logger.ts", "security", "webhook-outbox"],
  members: ["access", "api-keys", "audit", "authorized-apps", "change-feed", "db", "errors", "generated", "users", "workspaces"],
  account: ["audit", "db", "errors", "sessions", "users"],
  settings: ["access", "account", "activity", "api-keys", "authorized-apps", "errors", "http", "invitations", "leaked-credentials", "members", "scopes", "sessions", "webhook-outbox", "webhooks", "workspaces"],
  "admin-api": ["access", "account", "activity", "api-keys", "authorized-apps", "errors", "http", "invitations", "members", "sessions", "webhook-outbox", "webhooks", "workspaces"],
  // What every process builds (a CLI command builds only this; a server's context builds on it).
  "services.ts": ["api-keys", "change-feed", "config.ts", "db", "invitations", "logger.ts", "webhooks"],
  cli: ["access", "api-keys", "audit", "authorized-apps", "config.ts", "db", "errors", "invitations", "logger.ts", "members", "oauth", "services.ts", "users", "webhook-outbox", "webhooks", "workspaces"],
  types: ["credentials", "logger.ts", "users"],
  // The OpenAPI document reads the routes' request schemas and the views' response schemas; only app.ts uses it.
  openapi: ["account", "activity", "admin-api", "api-keys", "authorized-apps", "http", "invitations", "members", "oauth", "resources", "scopes", "sessions", "webhook-outbox", "webhooks", "workspaces"],
};

// The table itself must have no cycle: a part may not reach itself through what it may import.
for (const start of Object.keys(PARTS)) {
  const seen = new Set();
  const walk = (part, path) => {
    for (const next of PARTS[part] ?? []) {
      if (next === start) throw new Error(`eslint.config.js: folder cycle in PARTS: ${[...path, next].join(" -> ")}`);
      if (seen.has(next)) continue;
      seen.add(next);
      walk(next, [...path, next]);
    }
  };
  walk(start, [start]);
}

const where = (part) => `./src/${part}`;
/** One zone per part: everything under src/ is off limits except itself, its allowed parts and context.ts (types). */
const zones = Object.entries(PARTS).map(([part, allowed]) => ({
  // errors/render.ts is a part of its own (it asks db/ whether an error is an outage), so errors/ leaves it out.
  target: part === "errors" ? "./src/errors/!(render).ts" : where(part),
  from: "./src",
  except: [part, ...allowed, "context.ts"].map((p) => `./${p}`),
  message: `src/${part} may import only: ${allowed.join(", ") || "nothing of src/"} (see PARTS in eslint.config.js)`,
}));

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/generated/", "coverage/", "docs/", "data/", "public/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // Typed rules on the application code. test/ and scripts/ keep the untyped set for now: they read untyped
  // JSON (supertest and fetch bodies) on purpose, which is 300+ no-unsafe-* findings to type one by one.
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ["src/**/*.ts"] })),
  {
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Express 5 awaits a handler's promise and routes its rejection to the error handler, so async handlers
      // passed where a void callback is expected are intended; every other misused promise is still reported.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      // Off: the findings are implementations of promise-returning contracts (oidc-provider hooks and adapter
      // methods, the Prisma driver adapter) that have nothing to await; `async` keeps their throws as rejections.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    // The sources import `./x.js` for `./x.ts` (NodeNext): resolve those to the TypeScript files.
    settings: { "import-x/resolver-next": [createNodeResolver({ extensionAlias: { ".js": [".ts", ".js"] } })] },
    rules: {
      // Type-only imports are left out (AppContext is passed everywhere); value cycles between files are errors.
      "import-x/no-cycle": "error",
      "import-x/no-restricted-paths": ["error", { zones }],
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/context.js", "!./context.js"], allowTypeImports: true, message: "Only the roots (main, app, context) use the context's values; elsewhere import type { AppContext }." }] },
      ],
    },
  },
  // The README's JavaScript examples run on Node's own web APIs.
  { files: ["examples/**"], languageOptions: { globals: { fetch: "readonly", URLSearchParams: "readonly" } } },
);
