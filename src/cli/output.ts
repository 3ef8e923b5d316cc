/** The `{ error: { code, message } }` body of a failed command. */
export interface CliError {
  code: string;
  message: string;
}

/**
 * Where results and failures go. With `--json`, stdout carries exactly one JSON object and nothing else;
 * without it, results are text on stdout and a failure is one line on stderr. Logs never use stdout.
 */
export class Output {
  constructor(readonly json: boolean) {}

  result<R extends object>(result: R, human: (result: R) => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(result)}\n` : `${human(result)}\n`);
  }

  failure(error: CliError): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ error })}\n`);
    else process.stderr.write(`error: ${oneLine(error.message)} (${error.code})\n`);
  }
}

/** Collapses a multi-line message (such as a configuration report) onto one line. */
export function oneLine(message: string): string {
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
}
