import { contractChecker, takeContractViolations } from "../../support/contract.js";

const JSON_TYPE = "application/json; charset=utf-8";
const subscriber = { id: "s1", email: "a@example.com", first_name: null, last_name: null, tags: [], created_at: "2026-12-01T10:00:00.000Z", updated_at: "2026-12-01T10:00:00.000Z" };

function check(method: string, url: string, status: number, body: unknown, contentType = JSON_TYPE): string[] {
  contractChecker().check(method, url, status, contentType, body === undefined ? "" : JSON.stringify(body));
  return takeContractViolations();
}

describe("the contract check the integration suite runs on every /v1 and /api response", () => {
  test("when a response matches the document, then no violation", () => {
    expect(check("GET", "/v1/subscribers/s1", 200, { data: subscriber })).toEqual([]);
    expect(check("GET", "/v1/subscribers?limit=1", 200, { data: [subscriber], has_more: false, next_cursor: null })).toEqual([]);
    expect(check("DELETE", "/v1/tags/t1", 204, undefined)).toEqual([]);
    expect(check("POST", "/v1/tags", 409, { error: { type: "invalid_request_error", code: "duplicate_tag", message: "x" } })).toEqual([]);
    expect(check("GET", "/v1/nope", 404, { error: { type: "invalid_request_error", code: "not_found", message: "x" } })).toEqual([]);
  });

  test("when a response has an undocumented field, then it is a violation", () => {
    expect(check("GET", "/v1/subscribers/s1", 200, { data: { ...subscriber, secret: "x" } })).toHaveLength(1);
    expect(check("GET", "/v1/workspace", 200, { data: { id: "w", name: "n" }, extra: true })).toHaveLength(1);
  });

  test("when a response has an undocumented status, error code or error type, then it is a violation", () => {
    expect(check("GET", "/v1/workspace", 418, { error: { type: "api_error", code: "teapot", message: "x" } })).toHaveLength(1);
    expect(check("POST", "/v1/tags", 409, { error: { type: "invalid_request_error", code: "duplicate_email", message: "x" } })).toHaveLength(1);
    expect(check("GET", "/v1/workspace", 401, { error: { type: "permission_error", code: "missing_credentials", message: "x" } })).toHaveLength(1);
  });

  test("when an undocumented route succeeds, or a documented one answers in another media type, then it is a violation", () => {
    expect(check("GET", "/api/members", 200, { data: [] })).toHaveLength(1);
    expect(check("GET", "/v1/workspace", 200, "<html>", "text/html")).toHaveLength(1);
  });

  test("when the response is outside /v1 and /api (pages, OAuth endpoints), then it is not checked", () => {
    expect(check("GET", "/settings", 200, "<html>", "text/html")).toEqual([]);
    expect(check("POST", "/token", 400, { error: "invalid_grant" })).toEqual([]);
  });
});
