/** How a key's access level reads to people, in tables, dialogs and activity lines. */
export const ACCESS_LABELS: Record<string, string> = { read_only: "Read Only", read_write: "Read and Write", custom: "Custom" };

/** "Read Only" / "Read and Write" / "Custom" (an unknown level as it is). */
export function accessLabel(level: string): string {
  return ACCESS_LABELS[level] ?? level;
}
