/**
 * A secret with its last character replaced by a different one. Replacing it with a fixed character would hand
 * back the secret itself whenever it already ends in that character (1 time in 62 or 64), and the test would
 * flake; this always changes it.
 */
export function withLastCharChanged(secret: string): string {
  return secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
}
