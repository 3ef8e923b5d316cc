import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The modules a file loads: its imports and re-exports that are not types only and, with `dynamic`, the modules it
 * imports on demand (`await import("…")`).
 */
function importsOf(file: string, dynamic: boolean): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const typesOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      if (!typesOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  if (dynamic) visit(source);
  return specifiers;
}

/**
 * The packages reached from `entries` through imports, each with the chain of files that reaches it. Imports on
 * demand are followed in the files under `dynamicUnder` (what a CLI command always loads), not elsewhere (the
 * services load PostgreSQL's notifier on demand, only on PostgreSQL).
 */
function packagesReached(entries: string[], dynamicUnder = "src/cli/"): Map<string, string[]> {
  const reachedBy = new Map<string, string | null>(entries.map((e) => [path.join(root, e), null]));
  const queue = [...reachedBy.keys()];
  const packages = new Map<string, string[]>();
  const chain = (file: string) => {
    const files: string[] = [];
    for (let at: string | null | undefined = file; at; at = reachedBy.get(at)) files.push(path.relative(root, at));
    return files;
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const specifier of importsOf(file, path.relative(root, file).startsWith(dynamicUnder))) {
      if (specifier.startsWith(".")) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"));
        if (!reachedBy.has(target)) {
          reachedBy.set(target, file);
          queue.push(target);
        }
      } else {
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
        if (!packages.has(name)) packages.set(name, chain(file));
      }
    }
  }
  return packages;
}

// What serving HTTP takes, and PostgreSQL's driver (loaded only when DATABASE_URL is a PostgreSQL URL).
const SERVER_ONLY = ["oidc-provider", "express", "jose", "prom-client", "pg", "@prisma/adapter-pg"];

describe("what a CLI command loads", () => {
  test("when the CLI's modules (and what they import on demand: the services a command builds) are followed through their imports, then no server-only package is reached", () => {
    const reached = packagesReached(["src/cli/main.ts"]);
    const offending = SERVER_ONLY.filter((name) => reached.has(name)).map((name) => `${name} via ${reached.get(name)!.join(" <- ")}`);
    expect(offending).toEqual([]);
    // The walk does find what the CLI does load.
    expect([...reached.keys()]).toEqual(expect.arrayContaining(["commander", "@prisma/adapter-libsql"]));
  });

  test("when the server's context is followed the same way, then it reaches them (the walk sees what it looks for)", () => {
    const reached = packagesReached(["src/context.ts"]);
    expect(SERVER_ONLY.filter((name) => !reached.has(name) && name !== "@prisma/adapter-pg")).toEqual([]);
  });
});
