import { InvalidArgumentError } from "commander";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_MS = 365 * UNIT_MS.d;

/** Parses `--expires-in`: a positive whole number and a unit s, m, h or d, at most 365 days; in milliseconds. */
export function parseDuration(value: string): number {
  const match = /^([1-9][0-9]{0,8})([smhd])$/.exec(value.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0 && ms <= MAX_MS)) {
    throw new InvalidArgumentError("Use a whole number with s, m, h or d (for example 90d), at most 365d.");
  }
  return ms;
}
