#!/usr/bin/env node
// The package's `bin`: runs the compiled admin command line (`npm run build`, run by postinstall, makes dist/).
import "../dist/cli/main.js";
