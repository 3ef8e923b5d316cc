import { accessLabel } from "../api-keys/access-labels.js";
import { describeRevoker } from "../authorized-apps/describe-revoker.js";
import { permission } from "../scopes/permission-labels.js";

/** How Settings pages show values to people: dates in UTC, access levels, statuses and permissions in words. */

const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const DATE = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" });

/** `5 Mar 2025, 14:03 UTC`, or the fallback for a missing value. */
export function dateTime(iso: string | null, fallback = "Never"): string {
  return iso ? `${DATE_TIME.format(new Date(iso))} UTC` : fallback;
}

/** `5 Mar 2025`, or the fallback for a missing value. */
export function date(iso: string | null, fallback = "Never"): string {
  return iso ? DATE.format(new Date(iso)) : fallback;
}

/** "Just now", "5 minutes ago", "3 hours ago", "2 days ago", then the date; the fallback for a missing value. */
export function ago(iso: string | null, fallback = "Never", now = new Date()): string {
  if (!iso) return fallback;
  const minutes = Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  if (minutes < 1) return "Just now";
  if (minutes < 60) return plural(minutes, "minute");
  if (minutes < 24 * 60) return plural(Math.floor(minutes / 60), "hour");
  if (minutes < 30 * 24 * 60) return plural(Math.floor(minutes / (24 * 60)), "day");
  return date(iso);
}

/** "in 45 minutes", "in 23 hours", "in 6 days": how long until a moment ahead (rounded down, at least a minute). */
export function inTime(iso: string, now = new Date()): string {
  const minutes = Math.max(1, Math.floor((new Date(iso).getTime() - now.getTime()) / 60_000));
  const plural = (n: number, unit: string) => `in ${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes < 60) return plural(minutes, "minute");
  if (minutes < 48 * 60) return plural(Math.floor(minutes / 60), "hour");
  return plural(Math.floor(minutes / (24 * 60)), "day");
}

/** "Active", "Revoked", "Expired". */
export function status(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** The helpers templates receive as `fmt`. */
export const fmt = { dateTime, date, ago, inTime, access: accessLabel, status, permission, revokedBy: describeRevoker };
