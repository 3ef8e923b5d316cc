/**
 * The benchmark's fixed yardstick: bare Express 5 with helmet's defaults and one JSON route, nothing else.
 * `npm run bench` runs it beside our server and reports every figure as a ratio to it too, so a change in
 * the machine's load or speed does not read as a change in our code. Listens on 127.0.0.1:$PORT.
 */
import express from "express";
import helmet from "helmet";

const app = express();
app.disable("x-powered-by");
app.use(helmet());
app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});
app.listen(Number(process.env.PORT), "127.0.0.1");
