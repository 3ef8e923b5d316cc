/** Only same-site paths are followed after sign-in, so /login cannot be used as an open redirect. */
export function safeReturnTo(value: unknown, fallback = "/settings"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) {
    return fallback;
  }
  return value;
}
