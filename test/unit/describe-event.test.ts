import { describeActor, describeEvent } from "../../src/activity/describe-event.js";

describe("activity lines", () => {
  test("when an app event is described, then its permissions read in plain language and renewals and reasons show", () => {
    expect(describeEvent("authorized_app.authorized", { app_name: "Flow", scopes: ["subscribers:read", "tags:write"] })).toBe(
      "Authorized app “Flow” (Read subscribers, Create and delete tags)",
    );
    expect(describeEvent("authorized_app.authorized", { app_name: "Flow", scopes: ["tags:read"], renewed: true })).toBe(
      "Re-authorized app “Flow” (Read tags)",
    );
    expect(describeEvent("authorized_app.revoked", { app_name: "Flow", reason: "client deleted" })).toBe("Revoked app “Flow” (client deleted)");
  });

  test("when details are missing or the action is unknown, then the line still reads and never throws", () => {
    expect(describeEvent("api_key.revoked", {})).toBe("Revoked API key");
    expect(describeEvent("workspace.created", { name: "Acme" })).toBe("Created the workspace “Acme”");
    expect(describeEvent("membership.added", { email: 42 })).toBe("Added a user as member");
    expect(describeEvent("something.new_thing", {})).toBe("something new thing");
  });

  test("when a webhook endpoint is managed, then the line names its URL and what changed", () => {
    expect(describeEvent("webhook.created", { url: "https://h.example/in", events: ["api_key.revoked"] })).toBe("Added webhook endpoint https://h.example/in for api_key.revoked");
    expect(describeEvent("webhook.disabled", { url: "https://h.example/in", reason: "A delivery failed after 8 attempts." })).toBe(
      "Disabled webhook endpoint https://h.example/in after repeated failures. A delivery failed after 8 attempts.",
    );
    expect(describeEvent("webhook.delivery_resent", { event_type: "member.added", event_id: "msg_1" })).toBe("Resent member.added (msg_1) to a webhook endpoint");
  });

  test("when the actor is the system or the command line, then it is named as such, otherwise by its label", () => {
    expect(describeActor("system", null)).toBe("System");
    expect(describeActor("cli", "command line")).toBe("Command line");
    expect(describeActor("user", "ann@example.test")).toBe("ann@example.test");
    expect(describeActor("app", null)).toBe("An app");
  });
});
