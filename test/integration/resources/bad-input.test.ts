import { startTestApp, type TestApp } from "../../support/app.js";
import { api, expectError, twoWorkspaces } from "../../support/resource-helpers.js";

let t: TestApp;
let key: string;
let subscriberId: string;

beforeAll(async () => {
  t = await startTestApp();
  key = (await twoWorkspaces(t)).a.rw;
  subscriberId = (await api(t, key).post("/v1/subscribers", { email: "target@example.test", first_name: "T" }).expect(201))
    .body.data.id;
});
afterAll(() => t.close());

const long = (n: number) => "x".repeat(n);

/** Bodies (as raw JSON text) that must each be a 422 validation_failed, never a 2xx or 5xx. */
const badSubscriberBodies: [string, string][] = [
  ["an array", '[{"email":"a@example.test"}]'],
  ["null", "null"],
  ["a number", "42"],
  ["a string", '"a@example.test"'],
  ["true", "true"],
  ["an empty object", "{}"],
  ["a Prisma operator object as email", '{"email":{"contains":""}}'],
  ["a Prisma operator object as first_name", '{"email":"op@example.test","first_name":{"not":null}}'],
  ["an operator object as tags", '{"email":"op2@example.test","tags":{"set":[]}}'],
  ["a __proto__ key", '{"email":"proto@example.test","__proto__":{"admin":true}}'],
  ["a constructor key", '{"email":"ctor@example.test","constructor":{"prototype":{"x":1}}}'],
  ["an unknown field", '{"email":"u@example.test","nickname":"x"}'],
  ["a snake/camel mix-up", '{"email":"c@example.test","firstName":"x"}'],
  ["a number email", '{"email":123}'],
  ["a null email", '{"email":null}'],
  ["an array email", '{"email":["a@example.test"]}'],
  ["an invalid email", '{"email":"not-an-email"}'],
  ["an email with a space inside", '{"email":"a b@example.test"}'],
  ["a 255-character email", JSON.stringify({ email: `${long(242)}@example.test` })],
  ["a 101-character first_name", JSON.stringify({ email: "n@example.test", first_name: long(101) })],
  ["a blank last_name", JSON.stringify({ email: "n@example.test", last_name: "   " })],
  ["a number first_name", '{"email":"n@example.test","first_name":7}'],
  ["a control character in a name", JSON.stringify({ email: "n@example.test", first_name: "a\u0000b" })],
  ["tags as a string", '{"email":"t@example.test","tags":"vip"}'],
  ["tags as null", '{"email":"t@example.test","tags":null}'],
  ["a number tag", '{"email":"t@example.test","tags":[1]}'],
  ["a null tag", '{"email":"t@example.test","tags":[null]}'],
  ["an empty tag", '{"email":"t@example.test","tags":[""]}'],
  ["a 51-character tag", JSON.stringify({ email: "t@example.test", tags: [long(51)] })],
  ["51 tags", JSON.stringify({ email: "t@example.test", tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })],
  ["a nested object tag", '{"email":"t@example.test","tags":[{"name":"x"}]}'],
];

describe("POST /v1/subscribers refuses bad bodies with 422", () => {
  let before: number;
  beforeAll(async () => {
    before = await t.ctx.db.subscriber.count();
  });

  test.each(badSubscriberBodies)("when the body is %s, then 422 validation_failed", async (_label, raw) => {
    const res = await api(t, key).raw("post", "/v1/subscribers", raw);
    expectError(res, 422, "invalid_request_error", "validation_failed");
  });

  test("when any bad body was sent, then no subscriber was created by it", async () => {
    expect(await t.ctx.db.subscriber.count()).toBe(before);
  });

  test("when POST has no body at all, then 422", async () => {
    expectError(await api(t, key).post("/v1/subscribers"), 422, "invalid_request_error", "validation_failed");
  });

  test("when an unknown field is sent, then the message names it", async () => {
    const res = await api(t, key).raw("post", "/v1/subscribers", '{"email":"u@example.test","nickname":"x"}');
    expect(res.body.error.message).toContain("nickname");
  });

  test("when the email is invalid, then the message names the field", async () => {
    const res = await api(t, key).raw("post", "/v1/subscribers", '{"email":"nope"}');
    expect(res.body.error.message).toContain('"email"');
  });

  test("when the limits are met exactly, then the subscriber is created (the denied twins above go one further)", async () => {
    const res = await api(t, key)
      .post("/v1/subscribers", {
        email: `${long(241)}@example.test`,
        first_name: long(100),
        last_name: long(100),
        tags: Array.from({ length: 50 }, (_, i) => `${i}${long(48)}`),
      })
      .expect(201);
    expect(res.body.data.email).toHaveLength(254);
    expect(res.body.data.tags).toHaveLength(50);
  });
});

describe("PATCH /v1/subscribers/:id refuses bad bodies with 422", () => {
  const badPatchBodies: [string, string][] = [
    ...badSubscriberBodies.filter(([label]) => label !== "an empty object"),
    ["an empty object (nothing to change)", "{}"],
    ["a null email", '{"email":null}'],
    ["an operator object as id", '{"id":{"not":""}}'],
  ];

  test.each(badPatchBodies)("when the body is %s, then 422 validation_failed and nothing changes", async (_label, raw) => {
    const res = await api(t, key).raw("patch", `/v1/subscribers/${subscriberId}`, raw);
    expectError(res, 422, "invalid_request_error", "validation_failed");
  });

  test("when the bad PATCH bodies were sent, then the subscriber is untouched", async () => {
    const res = await api(t, key).get(`/v1/subscribers/${subscriberId}`).expect(200);
    expect(res.body.data).toMatchObject({ email: "target@example.test", first_name: "T", last_name: null, tags: [] });
  });
});

describe("POST /v1/tags refuses bad bodies with 422", () => {
  let before: number;
  beforeAll(async () => {
    before = await t.ctx.db.tag.count();
  });

  test.each([
    ["an array", '["x"]'],
    ["null", "null"],
    ["an empty object", "{}"],
    ["an operator object", '{"name":{"contains":""}}'],
    ["a __proto__ key", '{"name":"p","__proto__":{"x":1}}'],
    ["an unknown field", '{"name":"p","color":"red"}'],
    ["a number name", '{"name":5}'],
    ["an empty name", '{"name":""}'],
    ["a too long name", JSON.stringify({ name: long(51) })],
    ["a newline in the name", JSON.stringify({ name: "a\nb" })],
  ])("when the body is %s, then 422 validation_failed", async (_label, raw) => {
    expectError(await api(t, key).raw("post", "/v1/tags", raw), 422, "invalid_request_error", "validation_failed");
  });

  test("when the bad tag bodies were sent, then no tag was created by them", async () => {
    expect(await t.ctx.db.tag.count()).toBe(before);
  });
});

describe("bodies that are not usable JSON", () => {
  test.each([
    ["/v1/subscribers", "post"],
    [`/v1/subscribers/SUB`, "patch"],
    ["/v1/tags", "post"],
  ] as const)("when %s (%s) gets broken JSON, then 400 invalid_json", async (path, method) => {
    const res = await api(t, key).raw(method, path.replace("SUB", subscriberId), '{"email": "a@example.test",');
    expectError(res, 400, "invalid_request_error", "invalid_json");
  });

  test.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])(
    "when the content type is %s, then 415 unsupported_media_type",
    async (type) => {
      const res = await api(t, key).raw("post", "/v1/subscribers", "email=a@example.test", type);
      expectError(res, 415, "invalid_request_error", "unsupported_media_type");
    },
  );

  test("when the body is over 100 kB, then 413 body_too_large; just under, then it is parsed (and judged by the schema)", async () => {
    const big = JSON.stringify({ email: "big@example.test", first_name: long(101 * 1024) });
    expectError(await api(t, key).raw("post", "/v1/subscribers", big), 413, "invalid_request_error", "body_too_large");
    const under = JSON.stringify({ email: "big@example.test", first_name: long(99 * 1024) });
    expectError(await api(t, key).raw("post", "/v1/subscribers", under), 422, "invalid_request_error", "validation_failed");
  });

  test("when the body names a workspace_id, then 400 workspace_id_not_allowed", async () => {
    const res = await api(t, key).post("/v1/subscribers", { email: "w@example.test", workspace_id: "other" });
    expectError(res, 400, "invalid_request_error", "workspace_id_not_allowed");
  });
});
