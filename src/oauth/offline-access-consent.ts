import type Provider from "oidc-provider";

type Prompts = Set<string>;
interface PromptContext {
  params?: { prompt?: unknown; scope?: unknown };
}

/**
 * OpenID Connect drops `offline_access` unless the request says `prompt=consent` (the library applies that
 * rule to every authorization request, at /auth and at the pushed-request endpoint alike). Here consent is
 * asked on every request anyway, so a request asking for offline_access without any prompt counts as
 * `prompt=consent`, as OAuth apps expect. The rule sits on the request context's `prompts` rather than on
 * the query: a pushed request (RFC 9126) arrives as a form body that no middleware may rewrite, and is
 * checked once when pushed and again when /auth loads it; both read `prompts`.
 */
export function consentForOfflineAccess(provider: Provider): void {
  const prototype = provider.OIDCContext.prototype as object;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, "prompts");
  // A getter taken off its descriptor, always invoked below with `.call(this)`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const inherited = descriptor?.get as ((this: PromptContext) => unknown) | undefined;
  if (!inherited) throw new Error("oidc-provider's request context has no prompts getter (library version changed?)");
  Object.defineProperty(prototype, "prompts", {
    configurable: true,
    get(this: PromptContext): Prompts {
      const prompts = inherited.call(this) as Prompts;
      const { prompt, scope } = this.params ?? {};
      if (prompt === undefined && typeof scope === "string" && scope.split(" ").includes("offline_access")) prompts.add("consent");
      return prompts;
    },
  });
}
