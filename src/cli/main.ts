import "./console-to-stderr.js";
import { runProgram } from "./program.js";

// The entry point (tests drive runProgram in-process instead, to spare a Node start per command).
await runProgram(process.argv.slice(2));
