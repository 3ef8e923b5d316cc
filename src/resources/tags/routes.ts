import { Router } from "express";
import type { AppContext } from "../../context.js";

/** /v1/tags (being built). */
export function tagsRouter(_ctx: AppContext): Router {
  return Router();
}
