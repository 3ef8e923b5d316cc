import crypto from "node:crypto";
import { z } from "zod";

const bool = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/** Always allowed as a Host: tests, health checks and a proxy on the same machine address the server so. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A zod transform through a parser that throws: its message becomes the variable's validation issue. */
function parsedBy<I, O>(parse: (value: I) => O) {
  return (value: I, ctx: z.RefinementCtx): O => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  };
}

/** One public key that may sign secret-scanning reports. */
export interface SecretScanningKey {
  identifier: string;
  /** PEM (SPKI) of an ECDSA P-256 public key. */
  pem: string;
}

const partnerKeyList = z.array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1) }).loose()).min(1);

/**
 * SECRET_SCANNING_PUBLIC_KEYS: the JSON GitHub's meta endpoint answers (`{"public_keys": [{"key_identifier",
 * "key", "is_current"}]}`), or just its array. Every key must be an ECDSA P-256 public key in PEM.
 */
function parseSecretScanningKeys(value: string | undefined): SecretScanningKey[] {
  if (!value?.trim()) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error("must be JSON: the answer of https://api.github.com/meta/public_keys/secret_scanning");
  }
  const list = partnerKeyList.safeParse(Array.isArray(json) ? json : (json as { public_keys?: unknown } | null)?.public_keys);
  if (!list.success) throw new Error('must hold "public_keys": [{ "key_identifier": "…", "key": "-----BEGIN PUBLIC KEY-----…" }]');
  return list.data.map(({ key_identifier: identifier, key: pem }) => {
    let curve: string | undefined;
    try {
      curve = crypto.createPublicKey(pem).asymmetricKeyDetails?.namedCurve;
    } catch {
      curve = undefined;
    }
    if (curve !== "prime256v1") throw new Error(`key ${identifier} is not an ECDSA P-256 public key in PEM`);
    return { identifier, pem };
  });
}

const DURATION_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** WEBHOOK_RETRY_SCHEDULE: the waits before each retry, e.g. "5s,5m,30m,2h" (units ms, s, m, h). */
function parseRetrySchedule(value: string): number[] {
  const waits = value.split(",").map((part) => {
    const match = /^([0-9]{1,9})(ms|s|m|h)$/.exec(part.trim());
    if (!match || Number(match[1]) === 0) throw new Error(`"${part.trim()}" is not a wait like 200ms, 5s, 30m or 2h`);
    return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
  });
  if (waits.length > 20) throw new Error("at most 20 retries");
  return waits;
}

/** Every setting the server reads. Parsed once at start; nothing else reads process.env. */
const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    ISSUER: z.url().optional(),
    // Host names (port ignored) the server answers for besides ISSUER's and loopback, comma-separated; * for any.
    ALLOWED_HOSTS: z.string().optional(),
    DATABASE_URL: z
      .string()
      .default("file:./data/app.db")
      .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), "must start with file: or postgres://"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // The number of proxies in front of the server (1: one load balancer); true means 1, false 0.
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d{0,2})$/, "must be a number of proxies (0, 1, 2…), true or false")
      .optional()
      .transform((v) => (v === "true" ? 1 : v === "false" || !v ? 0 : Number(v))),
    ARGON2_MEMORY_KIB: positiveInt(65536),
    ARGON2_ITERATIONS: positiveInt(3),
    ARGON2_PARALLELISM: positiveInt(1),
    RATE_LIMIT_PER_MINUTE: positiveInt(600),
    AUTH_FAILURES_PER_MINUTE: positiveInt(100),
    LOGIN_FAILURES_PER_15_MINUTES: positiveInt(10),
    RATE_LIMIT_DISABLED: bool,
    RATE_LIMIT_SYNC_INTERVAL_MS: positiveInt(500),
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    CACHE_POLL_INTERVAL_MS: positiveInt(250),
    CREDENTIAL_MAX_STALENESS_MS: positiveInt(5000),
    DATABASE_CONNECT_TIMEOUT_MS: positiveInt(1000),
    DATABASE_QUERY_TIMEOUT_MS: positiveInt(1000),
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(800),
    DATABASE_IDLE_TIMEOUT_MS: positiveInt(30_000),
    DATABASE_POOL_SIZE: positiveInt(10),
    DATABASE_STARTUP_ATTEMPTS: positiveInt(10),
    SESSION_TTL_HOURS: positiveInt(12),
    // Above load balancers' idle timeouts (AWS ALB 60 s, nginx upstream keepalive 60 s): the balancer, not the
    // node, must be the side that closes an idle connection, or it may send a request on one the node just closed.
    KEEP_ALIVE_TIMEOUT_MS: positiveInt(65_000),
    SHUTDOWN_GRACE_MS: positiveInt(10_000),
    PURGE_INTERVAL_MS: positiveInt(600_000),
    // Requests per hour per client address to POST /credentials/revoke (each may carry up to 100 credentials).
    CREDENTIAL_REVOKE_PER_HOUR: positiveInt(60),
    // GitHub's secret-scanning public keys, as https://api.github.com/meta/public_keys/secret_scanning answers.
    SECRET_SCANNING_PUBLIC_KEYS: z
      .string()
      .optional()
      .transform(parsedBy(parseSecretScanningKeys)),
    OIDC_JWKS: z.string().optional(),
    COOKIE_KEYS: z.string().optional(),
    // Outgoing mail (invitations): smtp://user:pass@host:587 (STARTTLS when offered) or smtps://… (TLS from the start).
    SMTP_URL: z
      .string()
      .refine((v) => /^smtps?:\/\/[^/]/.test(v), "must start with smtp:// or smtps://")
      .optional(),
    MAIL_FROM: z.string().min(3).optional(),
    // 32 bytes, base64 or base64url: the key that encrypts webhook signing secrets at rest (same on every node).
    WEBHOOK_SECRETS_KEY: z
      .string()
      .optional()
      .refine((v) => !v || Buffer.from(v, "base64").length === 32, "must be 32 bytes in base64 (openssl rand -base64 32)"),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool,
    WEBHOOK_POLL_INTERVAL_MS: positiveInt(1000),
    WEBHOOK_LEASE_MS: positiveInt(60_000),
    WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
    WEBHOOK_CONCURRENCY: positiveInt(8),
    WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .default("5s,5m,30m,2h,5h,8h,8h")
      .transform(parsedBy(parseRetrySchedule)),
  })
  .refine((env) => env.WEBHOOK_LEASE_MS > env.WEBHOOK_TIMEOUT_MS, {
    path: ["WEBHOOK_LEASE_MS"],
    message: "must be longer than WEBHOOK_TIMEOUT_MS (a lease must outlast the attempt it covers)",
  })
  .transform((env) => {
    const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
    const listedHosts = env.ALLOWED_HOSTS?.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
    return {
      env: env.NODE_ENV,
      port: env.PORT,
      host: env.HOST,
      issuer,
      /** Host names a request may be addressed to; null: any. */
      allowedHosts: listedHosts?.includes("*")
        ? null
        : [...new Set([new URL(issuer).hostname, ...LOOPBACK_HOSTS, ...(listedHosts ?? [])])],
      databaseUrl: env.DATABASE_URL,
      /** Bounds on every wait for PostgreSQL (SQLite is a local file: its waits are its busy timeout). */
      database: {
        connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
        queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
        statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
        idleTimeoutMs: env.DATABASE_IDLE_TIMEOUT_MS,
        poolSize: env.DATABASE_POOL_SIZE,
        startupAttempts: env.DATABASE_STARTUP_ATTEMPTS,
      },
      logLevel: env.LOG_LEVEL,
      trustProxy: env.TRUST_PROXY > 0,
      /** For Express: client addresses are read this many hops from the right of X-Forwarded-For, never further. */
      trustProxyHops: env.TRUST_PROXY,
      argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_ITERATIONS, parallelism: env.ARGON2_PARALLELISM },
      rateLimit: {
        disabled: env.RATE_LIMIT_DISABLED,
        perMinute: env.RATE_LIMIT_PER_MINUTE,
        authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
        loginFailuresPer15Minutes: env.LOGIN_FAILURES_PER_15_MINUTES,
        syncIntervalMs: env.RATE_LIMIT_SYNC_INTERVAL_MS,
      },
      metricsToken: env.METRICS_TOKEN,
      cachePollIntervalMs: env.CACHE_POLL_INTERVAL_MS,
      /** Past this long without hearing the change log, cached credentials are re-checked in the database. */
      credentialMaxStalenessMs: env.CREDENTIAL_MAX_STALENESS_MS,
      sessionTtlHours: env.SESSION_TTL_HOURS,
      /** How long an idle kept-alive connection stays open; headers must arrive within this plus 1 s. */
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
      /** After SIGTERM/SIGINT: how long requests in flight may take before the process exits anyway. */
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      /** About how often each node deletes expired sessions and OAuth rows. */
      purgeIntervalMs: env.PURGE_INTERVAL_MS,
      /** POST /credentials/revoke: requests per hour per client address. */
      credentialRevokePerHour: env.CREDENTIAL_REVOKE_PER_HOUR,
      /** The public keys that may sign secret-scanning reports, by key identifier (PEM, SPKI). */
      secretScanningKeys: env.SECRET_SCANNING_PUBLIC_KEYS,
      oidcJwks: env.OIDC_JWKS,
      cookieKeys: env.COOKIE_KEYS?.split(",").map((k) => k.trim()).filter(Boolean),
      /** Outgoing mail; null when SMTP_URL is unset (invitation links are then passed on by hand). */
      mail: env.SMTP_URL
        ? { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM ?? `Workspace Auth <no-reply@${new URL(issuer).hostname}>` }
        : null,
      webhooks: {
        /** Encrypts signing secrets at rest; undefined: a key generated once and kept in the database. */
        secretsKey: env.WEBHOOK_SECRETS_KEY ? Buffer.from(env.WEBHOOK_SECRETS_KEY, "base64") : undefined,
        /** Tests and private deployments: let deliveries reach loopback and private addresses. */
        allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
        pollIntervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
        leaseMs: env.WEBHOOK_LEASE_MS,
        timeoutMs: env.WEBHOOK_TIMEOUT_MS,
        concurrency: env.WEBHOOK_CONCURRENCY,
        /** The wait before retry 1, 2, …; a delivery failing once more than this list is long has failed. */
        retryScheduleMs: env.WEBHOOK_RETRY_SCHEDULE,
      },
    };
  });

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {}

/** Parses the environment into a Config; throws ConfigError with one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "config"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}
