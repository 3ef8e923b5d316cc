/** What a membership change returns: the membership's id and whether it is still there. */
export interface MembershipResult {
  id: string;
  status: "active" | "removed";
}
