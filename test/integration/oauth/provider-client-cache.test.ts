import { ChangeFeed } from "../../../src/change-feed/change-feed.js";
import { createLogger } from "../../../src/logger.js";
import { ProviderClientCache } from "../../../src/oauth/clients/provider-client-cache.js";
import { startTestApp, type TestApp } from "../../support/app.js";
import { makeClient } from "../../support/oauth-helpers.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Changes a client behind every cache's back: no change is published. */
const renameQuietly = (id: string, name: string) => t.ctx.db.oAuthClient.update({ where: { id }, data: { name } });

describe("the provider's client cache", () => {
  test("when the change feed is heard, then a client is read once and a published client change drops it at once", async () => {
    const clients = new ProviderClientCache(t.ctx.db, t.ctx.feed);
    const { id } = await makeClient(t.ctx, { name: "Before" });
    expect((await clients.find(id))?.client_name).toBe("Before");
    await renameQuietly(id, "After");
    // Served from memory: the database was not asked again.
    expect((await clients.find(id))?.client_name).toBe("Before");
    // Denied twin: what rotate-secret and delete publish drops the entry before the call returns.
    t.ctx.feed.emit("client", id);
    expect((await clients.find(id))?.client_name).toBe("After");
  });

  test("when the change feed is not heard (stale or never started), then every lookup reads the database", async () => {
    const silent = new ChangeFeed(t.ctx.db, createLogger("silent"), 100);
    const clients = new ProviderClientCache(t.ctx.db, silent);
    const { id } = await makeClient(t.ctx, { name: "Before" });
    expect((await clients.find(id))?.client_name).toBe("Before");
    await renameQuietly(id, "After");
    expect((await clients.find(id))?.client_name).toBe("After");
  });

  test("when a client id is unknown, then it is not remembered: a client created later under it is found", async () => {
    const clients = new ProviderClientCache(t.ctx.db, t.ctx.feed);
    const { id } = await makeClient(t.ctx);
    await t.ctx.db.oAuthClient.update({ where: { id }, data: { status: "deleted" } });
    expect(await clients.find(id)).toBeUndefined();
    await t.ctx.db.oAuthClient.update({ where: { id }, data: { status: "active" } });
    expect((await clients.find(id))?.client_id).toBe(id);
  });
});
