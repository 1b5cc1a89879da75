/**
 * Child process of the analyze benchmark: runs `zbms analyze` (the same `main` the CLI runs)
 * and prints one JSON line with its wall time and this process's peak RSS.
 */
import { main } from "../host/analyze/cli";

const KB_PER_MB = 1024;

async function run(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const code = await main(process.argv.slice(2));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakRssMB = process.resourceUsage().maxRSS / KB_PER_MB;
  process.stdout.write(JSON.stringify({ code, seconds, peakRssMB }) + "\n");
  process.exit(code);
}

void run();
