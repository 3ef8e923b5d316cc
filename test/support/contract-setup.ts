import { takeContractViolations } from "./contract.js";

/**
 * Fails the test during which the app sent a /v1 or /api response the OpenAPI document does not describe (an
 * undocumented status, field, error code or route). afterAll catches responses that finished after their test.
 */
function failOnViolations(): void {
  const violations = takeContractViolations();
  if (violations.length) {
    throw new Error(`Responses not described by the OpenAPI document (src/openapi/operations.ts says how to document them):\n${violations.join("\n")}`);
  }
}

afterEach(failOnViolations);
afterAll(failOnViolations);
