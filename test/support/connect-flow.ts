import * as oauth from "openid-client";

/**
 * A cookie-keeping HTTP client that follows no redirect by itself: the authorization flow is walked step by
 * step, as a browser would, without a browser. Cookies are kept by name (the provider's cookie names are
 * unique per purpose, so paths need not be tracked).
 */
export class HttpBrowser {
  private readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  get(url: string | URL): Promise<Response> {
    return this.request(url);
  }

  postForm(url: string | URL, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  forget(name: string): void {
    this.cookies.delete(name);
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*(expires=thu, 01 jan 1970|max-age=0)/i.test(a));
    if (expired || value === "") this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export interface FlowUser {
  email: string;
  password: string;
}

export interface AuthorizeOptions {
  /** Signs in with these when the login form appears. */
  user?: FlowUser;
  /** What to answer on the consent page; `undefined` stops there and returns the page. */
  decision?: "allow" | "deny";
  /** The workspace to post; the first one offered when omitted. May be one the page did not offer. */
  workspaceId?: string;
}

export type AuthorizeOutcome =
  | { kind: "callback"; url: URL }
  | { kind: "page"; status: number; html: string; url: URL; headers: Headers };

const CSRF = /name="_csrf" value="([^"]+)"/;
const ACTION = /<form method="post" action="([^"]+)"/;

/** The first form's CSRF token and action on a page. */
export function formOf(html: string): { csrf: string; action: string } {
  const csrf = CSRF.exec(html)?.[1];
  const action = ACTION.exec(html)?.[1];
  if (!csrf || !action) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  return { csrf, action: action.replace(/&amp;/g, "&") };
}

/** The workspace ids offered by the consent page's select. */
export function offeredWorkspaces(html: string): string[] {
  return [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
}

function isCallback(url: URL, redirectUri: string): boolean {
  const expected = new URL(redirectUri);
  return url.origin === expected.origin && url.pathname === expected.pathname;
}

/**
 * Walks an authorization request: follows redirects, signs in when asked, answers the consent page, and
 * stops at the redirect to the app (returned, not followed) or at a page it cannot answer.
 */
export async function authorize(
  browser: HttpBrowser,
  authorizationUrl: URL,
  redirectUri: string,
  options: AuthorizeOptions = {},
): Promise<AuthorizeOutcome> {
  let url = authorizationUrl;
  let res = await browser.get(url);
  let signedIn = false;
  let answered = false;
  for (let step = 0; step < 20; step++) {
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      if (isCallback(url, redirectUri)) return { kind: "callback", url };
      res = await browser.get(url);
      continue;
    }
    const html = await res.text();
    const page = { kind: "page" as const, status: res.status, html, url, headers: res.headers };
    if (res.status !== 200 || !ACTION.test(html)) return page;
    const form = formOf(html);
    const target = new URL(form.action, url);
    if (html.includes('name="password"') && options.user && !signedIn) {
      signedIn = true;
      res = await browser.postForm(target, { _csrf: form.csrf, email: options.user.email, password: options.user.password });
    } else if (html.includes('name="decision"') && options.decision && !answered) {
      answered = true;
      const fields: Record<string, string> = { _csrf: form.csrf, decision: options.decision };
      const workspaceId = options.workspaceId ?? offeredWorkspaces(html)[0];
      if (workspaceId) fields.workspace_id = workspaceId;
      res = await browser.postForm(target, fields);
    } else {
      return page;
    }
    url = target;
  }
  throw new Error("the authorization flow did not end in 20 steps");
}

export interface TestClient {
  id: string;
  /** null for a public client. */
  secret: string | null;
  redirectUri: string;
}

/** openid-client configured for a client, from the RFC 8414 metadata URL (plain http on 127.0.0.1 allowed). */
export function discover(issuer: string, client: TestClient, auth: "basic" | "post" = "basic"): Promise<oauth.Configuration> {
  const clientAuth = client.secret
    ? auth === "post"
      ? oauth.ClientSecretPost(client.secret)
      : oauth.ClientSecretBasic(client.secret)
    : oauth.None();
  return oauth.discovery(new URL(issuer), client.id, undefined, clientAuth, {
    algorithm: "oauth2",
    execute: [oauth.allowInsecureRequests],
  });
}

export interface StartedAuthorization {
  url: URL;
  codeVerifier: string;
  state: string;
}

/** A PKCE S256 authorization request URL for the client. */
export async function authorizationRequest(
  config: oauth.Configuration,
  client: TestClient,
  params: { scope?: string; state?: string; extra?: Record<string, string> } = {},
): Promise<StartedAuthorization> {
  const codeVerifier = oauth.randomPKCECodeVerifier();
  const state = params.state ?? oauth.randomState();
  const url = oauth.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: params.scope ?? "subscribers:read subscribers:write tags:read tags:write offline_access",
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    ...params.extra,
  });
  return { url, codeVerifier, state };
}

export interface Connection {
  config: oauth.Configuration;
  browser: HttpBrowser;
  tokens: oauth.TokenEndpointResponse;
  callbackUrl: URL;
  codeVerifier: string;
}

export interface ConnectOptions {
  issuer: string;
  client: TestClient;
  user: FlowUser;
  scope?: string;
  workspaceId?: string;
  /** Reuse a browser (its cookies: our session, the provider's session). */
  browser?: HttpBrowser;
  auth?: "basic" | "post";
}

/** The whole connect flow as an app and a person would do it: discovery, PKCE, sign-in, consent, code exchange. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const config = await discover(options.issuer, options.client, options.auth);
  const browser = options.browser ?? new HttpBrowser();
  const started = await authorizationRequest(config, options.client, { scope: options.scope });
  const outcome = await authorize(browser, started.url, options.client.redirectUri, {
    user: options.user,
    decision: "allow",
    workspaceId: options.workspaceId,
  });
  if (outcome.kind !== "callback") throw new Error(`the flow stopped at ${outcome.url} (${outcome.status}):\n${outcome.html.slice(0, 800)}`);
  const tokens = await oauth.authorizationCodeGrant(config, outcome.url, {
    pkceCodeVerifier: started.codeVerifier,
    expectedState: started.state,
  });
  return { config, browser, tokens, callbackUrl: outcome.url, codeVerifier: started.codeVerifier };
}
