import { ValidationError } from "../errors/app-error.js";

const HOUR_MS = 3_600_000;

/** How long the previous secret keeps working after a rotation: the choices Settings, /api and the CLI offer. */
export const ROTATION_OVERLAPS = {
  now: 0,
  "1h": HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * 24 * HOUR_MS,
} as const;

export type RotationOverlap = keyof typeof ROTATION_OVERLAPS;

export const OVERLAP_CHOICES = Object.keys(ROTATION_OVERLAPS) as [RotationOverlap, ...RotationOverlap[]];

/** The labels of the Rotate dialog's "old secret stops working" choice, in order. */
export const OVERLAP_LABELS: Record<RotationOverlap, string> = {
  now: "Now",
  "1h": "In 1 hour",
  "24h": "In 24 hours",
  "7d": "In 7 days",
};

/** A choice from outside (form, body, command line) checked against the list. */
export function parseOverlap(value: unknown): RotationOverlap {
  if (typeof value === "string" && Object.hasOwn(ROTATION_OVERLAPS, value)) return value as RotationOverlap;
  throw new ValidationError(`overlap must be one of: ${OVERLAP_CHOICES.join(", ")}.`);
}

/** When the previous secret stops working, or null when it stops at once. */
export function previousSecretEnd(overlap: RotationOverlap, now: Date): Date | null {
  const ms = ROTATION_OVERLAPS[overlap];
  return ms ? new Date(now.getTime() + ms) : null;
}
