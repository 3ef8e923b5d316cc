import { ValidationError } from "../errors/app-error.js";

const DAY_MS = 86_400_000;

/** The choices of the "Expiration" select, in order. `date` uses the "Expiration date" field. */
export const EXPIRATION_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "date", label: "A chosen date" },
  { value: "never", label: "Never expires" },
] as const;

export type ExpirationChoice = (typeof EXPIRATION_CHOICES)[number]["value"];

export const MAX_EXPIRY_DAYS = 365;

/** `days` days from now. */
export function expiryInDays(days: number, now = new Date()): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** The last second of a calendar day in UTC (`YYYY-MM-DD`), which must still be ahead. */
export function endOfDayUtc(day: string, now = new Date()): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59)) : null;
  if (!date || date.toISOString().slice(0, 10) !== day) {
    throw new ValidationError("Choose a valid expiration date.");
  }
  if (date <= now) throw new ValidationError("The expiration date must be today or later.");
  return date;
}

/** The expiry a form choice means: null for "Never expires". */
export function expiryFromChoice(choice: ExpirationChoice, day: string | undefined, now = new Date()): Date | null {
  if (choice === "never") return null;
  if (choice === "date") return endOfDayUtc(day ?? "", now);
  return expiryInDays(Number(choice), now);
}
