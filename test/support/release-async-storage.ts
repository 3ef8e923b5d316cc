import type { AsyncLocalStorage } from "node:async_hooks";
import { tokenRequestWrites } from "../../src/oauth/token-request-writes.js";

/**
 * Jest evaluates every module again for each test file, so each file makes its own instances of the two
 * module-level AsyncLocalStorage of the server: ours (held token writes) and oidc-provider's (the request being
 * handled). On Node 20 an instance that has run once stays on the process's list for good, and every promise the
 * process creates afterwards visits each instance on that list: by the end of the suite, hundreds of them, most
 * of them from files long finished. Releasing this file's two when it ends keeps that cost to the file's own.
 */
const oidcProviderRequests = ((await import("oidc-provider/lib/helpers/als.js" as string)) as { default: AsyncLocalStorage<unknown> }).default;

afterAll(() => {
  tokenRequestWrites.disable();
  oidcProviderRequests.disable();
});
