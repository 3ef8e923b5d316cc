import { Router } from "express";
import type { AppContext } from "../../context.js";

/** /v1/subscribers (being built). */
export function subscribersRouter(_ctx: AppContext): Router {
  return Router();
}
