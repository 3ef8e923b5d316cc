import path from "node:path";
import { fileURLToPath } from "node:url";
import ejs from "ejs";
import type { Configuration } from "oidc-provider";

const ERROR_VIEW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "views", "error.ejs");

/** Human wording for the errors a person can meet at /auth (those the app cannot be told through a redirect). */
function explain(error: string, description: string | undefined): string {
  if (description?.includes("redirect_uri")) {
    return "The app sent an address to return to that is not registered for it, so you were not sent back to it.";
  }
  if (error === "temporarily_unavailable") return "The service is temporarily unavailable. Try again in a moment.";
  if (error === "invalid_client") return "This app is not registered here, or it was removed.";
  if (error === "invalid_request" && description) return `The app sent an invalid request: ${description}.`;
  return "The app's request could not be processed. Go back to the app and try again.";
}

/**
 * Error pages of the authorization endpoint (an unknown client, a redirect URI that does not match):
 * our page layout, never a redirect, never an echo of raw request values.
 */
export const renderProviderError: NonNullable<Configuration["renderError"]> = async (ctx, out) => {
  ctx.type = "html";
  ctx.set("Cache-Control", "no-store");
  ctx.body = await ejs.renderFile(ERROR_VIEW, {
    title: out.error === "temporarily_unavailable" ? "Temporarily unavailable" : "This link cannot be used",
    status: ctx.status,
    message: explain(out.error, out.error_description),
  });
};
