import { Console } from "node:console";

// stdout carries only the command's result (exactly one JSON object with --json). Libraries that print
// notices with console.log or console.info (oidc-provider does) are sent to stderr instead.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
