import { isOffboarding, requireMayChange } from "../../src/members/member-rules.js";

const refused = (actor: string | null, target: string, next: string | null) => {
  try {
    requireMayChange(actor, target, next);
    return null;
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe("who may change whose membership", () => {
  test("when an owner acts, then every change is allowed", () => {
    for (const target of ["owner", "admin", "member"]) for (const next of ["owner", "admin", "member", null]) expect(refused("owner", target, next)).toBeNull();
  });

  test("when an admin acts, then members and admins are theirs to manage, owners are not", () => {
    expect(refused("admin", "member", "admin")).toBeNull();
    expect(refused("admin", "admin", "member")).toBeNull();
    expect(refused("admin", "member", null)).toBeNull();
    expect(refused("admin", "member", "owner")).toBe("owner_required");
    expect(refused("admin", "owner", "admin")).toBe("owner_required");
    expect(refused("admin", "owner", null)).toBe("owner_required");
  });

  test("when a member or a non-member acts, then nothing is allowed", () => {
    expect(refused("member", "member", "admin")).toBe("forbidden");
    expect(refused(null, "member", null)).toBe("forbidden");
  });

  test("when a role change takes admin rights away or the person leaves, then it is an offboarding", () => {
    expect(isOffboarding("admin", null)).toBe(true);
    expect(isOffboarding("member", null)).toBe(true);
    expect(isOffboarding("owner", "member")).toBe(true);
    expect(isOffboarding("admin", "member")).toBe(true);
    expect(isOffboarding("owner", "admin")).toBe(false);
    expect(isOffboarding("member", "admin")).toBe(false);
  });
});
