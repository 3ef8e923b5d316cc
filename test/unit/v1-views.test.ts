import { toSubscriberView } from "../../src/resources/subscribers/subscriber-view.js";
import { toTagView } from "../../src/resources/tags/tag-view.js";
import { toCredentialWorkspaceView } from "../../src/resources/workspace-view.js";

const at = new Date(Date.UTC(2026, 11, 2, 3, 4, 5, 6));
const subscriber = { id: "sub_1", email: "A@x.test", firstName: null, lastName: "B", createdAt: at, updatedAt: at, tags: [{ tag: { name: "vip" } }, { tag: { name: "Alpha" } }] };

/**
 * The /v1 views are emitted through their zod schemas, from which the OpenAPI document is generated: what does not
 * fit the document is refused (a 500 for that request) rather than sent to a client in an undocumented shape.
 */
describe("the /v1 views", () => {
  test("when a row fits the schema, then the view is the documented shape, tags sorted", () => {
    expect(toSubscriberView(subscriber)).toStrictEqual({
      id: "sub_1",
      email: "A@x.test",
      first_name: null,
      last_name: "B",
      tags: ["Alpha", "vip"],
      created_at: "2026-12-02T03:04:05.006Z",
      updated_at: "2026-12-02T03:04:05.006Z",
    });
    expect(toTagView({ id: "tag_1", name: "vip", createdAt: at })).toStrictEqual({ id: "tag_1", name: "vip", created_at: "2026-12-02T03:04:05.006Z" });
    expect(toCredentialWorkspaceView({ id: "ws_1", name: "Acme" })).toStrictEqual({ id: "ws_1", name: "Acme" });
  });

  test("when a row would make a view outside the schema, then the view is refused, not sent undocumented", () => {
    const unsound = <T>(value: unknown) => value as T;
    expect(() => toSubscriberView({ ...subscriber, email: unsound<string>(null) })).toThrow();
    expect(() => toTagView({ id: "tag_1", name: unsound<string>(42), createdAt: at })).toThrow();
    expect(() => toCredentialWorkspaceView({ id: "ws_1", name: unsound<string>(undefined) })).toThrow();
  });
});
