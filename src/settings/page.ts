import type { Request, Response } from "express";
import type { PageKit } from "../sessions/page-kit.js";
import { fmt } from "./format.js";
import type { Viewer } from "../workspaces/viewer.js";

export type SettingsTab = "api-keys" | "authorized-apps" | "members" | "activity" | "webhooks" | "account";

/** Renders a Settings page inside the shared layout (header, tabs, sign-out form). */
export function renderSettings(
  req: Request,
  res: Response,
  kit: PageKit,
  page: { tab: SettingsTab; title: string; viewer: Viewer; status?: number; /** A template other than the tab's own. */ view?: string },
  locals: Record<string, unknown>,
): void {
  res.status(page.status ?? 200).render(`settings/${page.view ?? page.tab}`, {
    ...locals,
    title: page.title,
    tab: page.tab,
    viewer: page.viewer,
    csrfToken: kit.csrfToken(req, res),
    fmt,
  });
}
