import type { IncomingMessage, ServerResponse } from "node:http";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type express from "express";
import { buildOpenApiDocument } from "../../src/openapi/build-document.js";
import { commonCodes } from "../../src/openapi/error-codes.js";

// ajv-formats is CommonJS: under native ESM its function is the default export's default.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => void;

type Json = Record<string, unknown>;
interface Route {
  path: string;
  pattern: RegExp;
  methods: Record<string, { responses: Record<string, Json> }>;
}

const DOCUMENT_ID = "urn:workspace-auth:openapi";
const COVERED = /^\/(?:v1(?:\/|$)|api\/|\.well-known\/oauth-protected-resource\/)/;

/** Every /v1 and /api response the integration suite produces is checked against the OpenAPI document. */
class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();
  readonly violations: string[] = [];

  constructor() {
    addFormats(this.ajv);
    const document = buildOpenApiDocument("http://contract.test") as Json & { paths: Record<string, Route["methods"]> };
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    this.routes = Object.entries(document.paths).map(([path, methods]) => ({
      path,
      pattern: new RegExp(`^${path.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+")}$`),
      methods,
    }));
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** Checks one response; records a violation (method, path, status, what is wrong) when it is undocumented. */
  check(method: string, url: string, status: number, contentType: string, body: string): void {
    const pathname = new URL(url, "http://x").pathname;
    if (!COVERED.test(pathname)) return;
    const problem = this.problemWith(method.toLowerCase(), pathname, status, contentType, body);
    if (problem) this.violations.push(`${method} ${pathname} → ${status}: ${problem}\n  body: ${body.slice(0, 300)}`);
  }

  private problemWith(method: string, pathname: string, status: number, contentType: string, body: string): string | null {
    const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
    const route = this.routes.find((r) => r.pattern.test(trimmed));
    const verb = method === "head" ? "get" : method;
    const operation = route?.methods[verb];
    if (!route || !operation) {
      // No such route: only an error is a documented answer (the codes any route of that surface can give).
      if (status < 400) return "undocumented path or method";
      const codes = commonCodes(pathname.startsWith("/api/") ? "session" : "credential")[status];
      if (!codes) return "undocumented status for an unknown route";
      return this.validate("/components/schemas/Error", contentType, body, method);
    }
    const escaped = route.path.replace(/~/g, "~0").replace(/\//g, "~1");
    const response = operation.responses[String(status)];
    if (!response) return `undocumented status (documented: ${Object.keys(operation.responses).join(", ")})`;
    if (!response.content) return body.length && method !== "head" ? "a body where the document says none" : null;
    return this.validate(`/paths/${escaped}/${verb}/responses/${status}/content/application~1json/schema`, contentType, body, method);
  }

  private validate(pointer: string, contentType: string, body: string, method: string): string | null {
    if (method === "head") return null;
    if (!/^application\/json\b/.test(contentType)) return `content-type ${contentType || "(none)"}, documented application/json`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return "body is not JSON";
    }
    const validate = this.validator(pointer);
    return validate(parsed) ? null : this.ajv.errorsText(validate.errors);
  }
}

let checker: ContractChecker | undefined;

/** The checker of this test file (built on first use). */
export function contractChecker(): ContractChecker {
  checker ??= new ContractChecker();
  return checker;
}

/** Violations recorded since the last call, removed from the list. */
export function takeContractViolations(): string[] {
  return checker ? checker.violations.splice(0) : [];
}

function record(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return;
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as ServerResponse["write"];
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return end(...args);
  }) as ServerResponse["end"];
  const url = req.url ?? "/";
  const method = req.method ?? "GET";
  res.on("finish", () => {
    contractChecker().check(method, url, res.statusCode, String(res.getHeader("content-type") ?? ""), Buffer.concat(chunks).toString("utf8"));
  });
}

/**
 * Hooks the contract check into an app: every response it sends is recorded and checked when it finishes.
 * The setup file (contract-setup.ts) fails the test during which an undocumented response was sent.
 */
export function checkResponsesAgainstContract(app: express.Express): void {
  const handle = (app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, next?: unknown) => void }).handle.bind(app);
  (app as unknown as { handle: typeof handle }).handle = (req, res, next) => {
    record(req, res);
    handle(req, res, next);
  };
}
