#!/usr/bin/env node
// Entry point of `npx zbms …`: registers tsx so the TypeScript sources run as they are,
// then hands the arguments to host/cli/main.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv);
if (typeof code === "number") process.exitCode = code;
