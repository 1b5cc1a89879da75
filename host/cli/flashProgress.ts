/** The upload progress bar (cli-progress), or plain percentage lines when stderr is not a terminal. */
import { requirePackage } from "../util/lazyPackage";

export interface ProgressSink {
  update(doneBytes: number, totalBytes: number): void;
  stop(): void;
}

/** Percent steps printed in plain mode (no TTY): every 10 %. */
const PLAIN_STEP_PCT = 10;

export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (stream.isTTY) {
    // Loaded here, only when a bar is drawn (host/util/lazyPackage.ts); its CommonJS exports are the default export's members.
    const cliProgress = requirePackage<typeof import("cli-progress").default>("cli-progress", "draw the upload progress bar");
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} B`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastPct = -PLAIN_STEP_PCT;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
      if (pct >= lastPct + PLAIN_STEP_PCT || (done === total && lastPct !== 100)) {
        lastPct = done === total ? 100 : pct - (pct % PLAIN_STEP_PCT);
        stream.write(`${label} ${lastPct}% (${done}/${total} B)\n`);
      }
    },
    stop() {
      /* plain mode leaves its lines */
    },
  };
}
