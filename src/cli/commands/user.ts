import { type Command, Option } from "commander";
import { createUser } from "../../users/create-user.js";
import { readStdin } from "../read-stdin.js";
import { withServices } from "../run-command.js";

interface CreateOptions {
  email: string;
  password?: string;
  passwordStdin?: boolean;
  name?: string;
}

/** `user create`. */
export function userCommands(program: Command): void {
  const user = program.command("user").description("manage user accounts");

  user
    .command("create")
    .description("create a user with an Argon2id-hashed password")
    .requiredOption("--email <email>", "email address (stored lower-cased)")
    .addOption(
      new Option("--password <password>", "the password (visible in the process list)").conflicts("passwordStdin"),
    )
    .option("--password-stdin", "read the password from stdin")
    .option("--name <name>", "display name")
    .hook("preAction", (cmd) => {
      const opts = cmd.opts<CreateOptions>();
      if (opts.password === undefined && !opts.passwordStdin) {
        cmd.error("error: one of '--password <password>' or '--password-stdin' is required", {
          exitCode: 2,
          code: "commander.missingMandatoryOptionValue",
        });
      }
    })
    .action(
      withServices(
        async (ctx, opts: CreateOptions) => {
          const password = opts.passwordStdin ? await readStdin() : (opts.password ?? "");
          return createUser(ctx.db, ctx.config.argon2, { email: opts.email, password, name: opts.name });
        },
        (u) => `Created user ${u.id} <${u.email}>`,
      ),
    );
}
