import { ConfigError, loadConfig } from "../../src/config.js";

describe("the TRUST_PROXY setting", () => {
  test("when TRUST_PROXY is read, then it is a number of proxies: true means one, and anything else is refused", () => {
    const base = { DATABASE_URL: "file:./x.db" };
    expect(loadConfig({ ...base, TRUST_PROXY: "true" })).toMatchObject({ trustProxy: true, trustProxyHops: 1 });
    expect(loadConfig({ ...base, TRUST_PROXY: "2" })).toMatchObject({ trustProxy: true, trustProxyHops: 2 });
    expect(loadConfig({ ...base, TRUST_PROXY: "0" })).toMatchObject({ trustProxy: false, trustProxyHops: 0 });
    expect(loadConfig(base)).toMatchObject({ trustProxy: false, trustProxyHops: 0 });
    expect(() => loadConfig({ ...base, TRUST_PROXY: "yes" })).toThrow(ConfigError);
  });
});
