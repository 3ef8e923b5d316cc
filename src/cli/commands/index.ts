import type { Command } from "commander";
import { appCommands } from "./app.js";
import { clientCommands } from "./client.js";
import { dbCommands } from "./db.js";
import { keyCommands } from "./key.js";
import { userCommands } from "./user.js";
import { webhookCommands } from "./webhook.js";
import { workspaceCommands } from "./workspace.js";

/** Adds one group of subcommands (`user …`, `key …`) to the program. */
export type CommandGroup = (program: Command) => void;

/** Every command group, in help order. A new group is one file in this folder and one entry here. */
export const commandGroups: CommandGroup[] = [userCommands, workspaceCommands, keyCommands, clientCommands, appCommands, webhookCommands, dbCommands];
