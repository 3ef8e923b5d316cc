import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { LabelSets } from "./label-sets.js";
import { TallyCounter } from "./tally-counter.js";

/** What a credential presented on /v1 claimed to be. */
export type CredentialKind = "api_key" | "oauth" | "none";

/** Latency buckets in seconds: most requests answer from memory in a few milliseconds. */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's Prometheus metrics, on a registry of its own (not prom-client's global one) so that several
 * contexts in one process (tests) never share series. Labels are bounded sets: route patterns, never raw URLs.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new TallyCounter({
    name: "workspace_auth_http_requests_total",
    help: "HTTP requests answered, by method, matched route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: "workspace_auth_http_request_duration_seconds",
    help: "Time from receiving a request to finishing its response, by method, route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly credentialChecks = new TallyCounter({
    name: "workspace_auth_credential_checks_total",
    help: "Bearer credentials checked on /v1, by kind (api_key, oauth, none) and outcome (ok or the error code).",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });

  readonly credentialCache = new TallyCounter({
    name: "workspace_auth_credential_cache_lookups_total",
    help: "Lookups in the in-process credential caches, by kind and result (hit or miss).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });

  readonly credentialChanges = new Counter({
    name: "workspace_auth_credential_changes_total",
    help: "Credential changes applied to this node's caches, by kind and source (local: made here; feed: read from the change log).",
    labelNames: ["kind", "source"] as const,
    registers: [this.registry],
  });

  readonly credentialCacheResets = new Counter({
    name: "workspace_auth_credential_cache_resets_total",
    help: "Times every cached credential was dropped because the change feed may have missed changes.",
    registers: [this.registry],
  });

  readonly changeFeedLag = new Histogram({
    name: "workspace_auth_change_feed_lag_seconds",
    help: "Age of a credential change log entry when this node read it (clocks of the writing node and this one).",
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  readonly tokensIssued = new Counter({
    name: "workspace_auth_oauth_tokens_issued_total",
    help: "OAuth artifacts issued by the authorization server, by type (access_token, refresh_token, authorization_code).",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });

  readonly tokensRevoked = new Counter({
    name: "workspace_auth_oauth_tokens_revoked_total",
    help: "OAuth revocations, by type: a single access or refresh token destroyed, or a whole grant revoked.",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });

  readonly rateLimitSyncs = new Counter({
    name: "workspace_auth_rate_limit_syncs_total",
    help: "Synchronisations of the shared rate-limit counters with the database, by result (ok or error).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  /** The outcomes are our error codes, a fixed set. */
  private readonly checkLabels = new LabelSets(["kind", "outcome"] as const);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A cache observer for one kind of credential. */
  cacheObserver(kind: Exclude<CredentialKind, "none">): (hit: boolean) => void {
    const hits = { kind, result: "hit" };
    const misses = { kind, result: "miss" };
    return (hit) => this.credentialCache.count(hit ? hits : misses);
  }

  /** Counts one credential check on /v1: what the credential claimed to be, and `ok` or the error code. */
  countCredentialCheck(kind: CredentialKind, outcome: string): void {
    this.credentialChecks.count(this.checkLabels.of(kind, outcome));
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
