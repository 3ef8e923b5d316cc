import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";

type Step = RequestHandler | ErrorRequestHandler;

const isErrorHandler = (step: Step): step is ErrorRequestHandler => step.length === 4;

/**
 * The steps as one middleware, run as Express would run them mounted one after another (`router.use(a)`,
 * `router.use(b)`, …): in order; an error skips to the next error handler among them (taking four arguments), a
 * handler that passes no error skips the error handlers; an error no step handles, or the end, goes to `next`.
 * Each mounted layer costs Express a path match and a trim of the URL per request; the /v1 guards are six of them
 * in front of every /v1 request.
 */
export function inOrder(...steps: Step[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const advance = (err?: unknown): void => {
      while (index < steps.length) {
        const step = steps[index++];
        if ((err !== undefined && err !== null) !== isErrorHandler(step)) continue;
        try {
          const returned: unknown = isErrorHandler(step) ? step(err, req, res, advance) : step(req, res, advance);
          // Express 5 passes a rejected promise of an async middleware on as its error; so does this.
          if (returned instanceof Promise) returned.catch(advance);
        } catch (thrown) {
          advance(thrown);
        }
        return;
      }
      next(err);
    };
    advance();
  };
}
