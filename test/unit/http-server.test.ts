import express from "express";
import { loadConfig } from "../../src/config.js";
import { createHttpServer } from "../../src/http/http-server.js";

describe("the HTTP server's timeouts", () => {
  test("when nothing is configured, then idle kept-alive connections stay 65 s (above a load balancer's 60 s) and headers may take 66 s", () => {
    const config = loadConfig({});
    const server = createHttpServer(express(), config);
    expect(config.keepAliveTimeoutMs).toBe(65_000);
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(66_000);
  });

  test("when KEEP_ALIVE_TIMEOUT_MS is set, then the server uses it and the headers timeout stays 1 s above it", () => {
    const server = createHttpServer(express(), loadConfig({ KEEP_ALIVE_TIMEOUT_MS: "120000" }));
    expect(server.keepAliveTimeout).toBe(120_000);
    expect(server.headersTimeout).toBe(121_000);
  });

  test("when KEEP_ALIVE_TIMEOUT_MS is not a positive number, then the configuration is refused", () => {
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: "0" })).toThrow(/KEEP_ALIVE_TIMEOUT_MS/);
  });
});
