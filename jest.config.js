/**
 * Jest runs the TypeScript sources as native ES modules, transformed by SWC (fast on slow machines).
 * The fault suite (test/faults: real processes, killed servers, stopped databases) has its own config and
 * script, `npm run test:faults`, so `npm test` stays quick.
 */
export const base = {
  testEnvironment: "node",
  testMatch: ["**/*.test.ts"],
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "es6" },
      },
    ],
  },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/support/env.ts"],
};

export default {
  ...base,
  roots: ["<rootDir>/test/unit", "<rootDir>/test/integration", "<rootDir>/test/browser"],
  // Every /v1 and /api response of the suite is checked against the OpenAPI document (test/support/contract.ts).
  setupFilesAfterEnv: ["<rootDir>/test/support/contract-setup.ts", "<rootDir>/test/support/release-async-storage.ts"],
};
