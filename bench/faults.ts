/**
 * `npm run bench:faults` — the fault-injection figures: each fault run many times against the
 * firmware on the virtual board and the real host code over pseudo-terminals (scenarios in
 * test/reliability/scenarios/, the same code the vitest suite runs with fewer iterations).
 * Prints one summary line per scenario, then, as the LAST line, one JSON object:
 * {"wrongSamplesAccepted", "linesLostOnKill", "maxChargeLostOnPowerCutAh", "saveIntervalS",
 *  "corruptRestores", "fuzzedCommands", "samplerStops", …, and issue 21's "injectedCommandsRun",
 *  "absurdSettingsAccepted", "absurdValuesAccepted", "silentLosses" (bar: all 0), …}.
 * Options: --quick (fewer iterations), --seed N.
 */
import { runSerialCorruption } from "../test/reliability/scenarios/serialCorruption";
import { runHostKills } from "../test/reliability/scenarios/hostKill";
import { runLoggedPowerCut, runPowerCuts } from "../test/reliability/scenarios/powerCut";
import { runUnplugs } from "../test/reliability/scenarios/unplug";
import { BROKEN_TAP_CASE, FAULT_CASES, runSensorFault } from "../test/reliability/scenarios/sensorFaults";
import { runCommandFuzz } from "../test/reliability/scenarios/commandFuzz";
import { runDiskFull } from "../test/reliability/scenarios/diskFull";
import { runInjectionBench, runRestartBench, runSettingsBench, runSmallVolumeBench, runTelemetryMeaningBench } from "../test/reliability/scenarios/hardening";

const quick = process.argv.includes("--quick");
const seedArg = process.argv.indexOf("--seed");
const SEED = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 20261124;
if (!Number.isSafeInteger(SEED)) throw new Error(`--seed: got "${process.argv[seedArg + 1]}"; accepted: an integer, e.g. --seed 7`);

/** Iterations (full / --quick). */
const N = {
  corruptionRunsPerRate: quick ? 1 : 4,
  corruptionRealMs: quick ? 3000 : 8000,
  kills: quick ? 3 : 20,
  powerCuts: quick ? 10 : 120,
  unplugs: quick ? 3 : 12,
  fuzzedCommands: 10_000,
  injectionTexts: quick ? 50 : 500,
  monitorRestarts: quick ? 5 : 20,
};
/** Board speed (virtual s per real s = status lines per s) for the pty scenarios: ≈ 11 kB/s, a 115200-baud link nearly full. */
const SPEED = 100;
/** Sensor fault warm-up and duration (board ms): the fault spans cycle ends of the 20-min square wave. */
const SENSOR_WARM_MS = 900_000;
const SENSOR_FAULT_MS = 1_600_000;

function say(text: string): void {
  process.stdout.write(text + "\n");
}

async function main(): Promise<void> {
  const t0 = Date.now();
  // serial corruption
  const corruption: Record<string, { linesSent: number; accepted: number; rejected: number; gaps: number; missingReported: number; missingTruth: number; wrongSamples: number; wrongRecords: number; bytesDamaged: number }> = {};
  let wrongSamplesAccepted = 0;
  let gapMismatch = 0;
  for (const rate of [0.001, 0.01]) {
    const acc = { linesSent: 0, accepted: 0, rejected: 0, gaps: 0, missingReported: 0, missingTruth: 0, wrongSamples: 0, wrongRecords: 0, bytesDamaged: 0 };
    for (let i = 0; i < N.corruptionRunsPerRate; i++) {
      const f = await runSerialCorruption({ rate, seed: SEED + i * 7 + Math.round(rate * 1e4), realMs: N.corruptionRealMs, speed: SPEED });
      acc.linesSent += f.linesSent;
      acc.accepted += f.accepted;
      acc.rejected += f.rejected;
      acc.gaps += f.gapsReported;
      acc.missingReported += f.missingReported;
      acc.missingTruth += f.missingTruth;
      acc.wrongSamples += f.wrongSamplesAccepted;
      acc.wrongRecords += f.wrongRecordsAccepted;
      acc.bytesDamaged += f.bytesDamaged;
    }
    corruption[`${rate * 100}%`] = acc;
    wrongSamplesAccepted += acc.wrongSamples;
    gapMismatch += Math.abs(acc.missingReported - acc.missingTruth);
    say(`serial corruption ${rate * 100} %: ${acc.linesSent} lines sent, ${acc.bytesDamaged} bytes damaged, ${acc.accepted} accepted, ${acc.rejected} rejected, ${acc.gaps} gaps (${acc.missingReported} lines reported lost, ${acc.missingTruth} truly not accepted), wrong samples accepted ${acc.wrongSamples}, wrong records ${acc.wrongRecords}`);
  }
  // SIGKILL
  const kill = await runHostKills({ kills: N.kills, seed: SEED, speed: SPEED });
  say(`SIGKILL: ${kill.kills} kills, ${kill.linesLogged} lines logged, lines lost ${kill.linesLostOnKill}, torn raw logs ${kill.tornRawLogs}, BDF files checked ${kill.bdfFilesChecked} (unreadable ${kill.unreadableBdfFiles}), forced torn rows not dropped ${kill.tornRowsNotDropped}${kill.examples.length ? "; e.g. " + kill.examples[0] : ""}`);
  // power cuts
  const cut = await runPowerCuts({ cuts: N.powerCuts, seed: SEED });
  say(`power cuts: ${cut.cuts} (${cut.cutsDuringWrite} during a state write), max charge lost ${(cut.maxChargeLostOnPowerCutAh * 1000).toFixed(3)} mAh (bound: one save interval ${cut.saveIntervalS} s + one sample at ${cut.chargeCurrentA} A = ${(cut.boundAh * 1000).toFixed(3)} mAh), corrupt/older restores ${cut.corruptRestores}, missed ${cut.missedRestores}, unflagged ${cut.unflaggedRestores}${cut.examples.length ? "; e.g. " + cut.examples[0] : ""}`);
  const logged = await runLoggedPowerCut(SPEED * 2);
  const restoreFlaggedInLog = logged.bootNoteRestored && logged.falseGaps === 0 && logged.flaggedStatusLines === logged.statusLinesAfterBoot && logged.statusLinesAfterBoot > 0;
  say(`power cut through the monitor: raw-log boot note restored ${logged.bootNoteRestored} ("${logged.bootReason}"), ${logged.flaggedStatusLines}/${logged.statusLinesAfterBoot} status lines flagged restored, false gaps ${logged.falseGaps}`);
  // unplug
  const un = await runUnplugs({ unplugs: N.unplugs, seed: SEED, speed: SPEED / 2 });
  say(`unplug/replug: ${un.unplugs}, reconnect max ${un.maxReconnectMs} ms (mean ${un.meanReconnectMs.toFixed(0)} ms), first line after replug max ${un.maxFirstLineMs} ms, lines lost while unplugged ${un.linesLostTruth}, reported as gaps ${un.linesLostReported}, unreported ${un.unreportedLosses}`);
  // sensors
  const sensors: Record<string, boolean> = {};
  for (const c of [...FAULT_CASES, BROKEN_TAP_CASE]) {
    const r = await runSensorFault(c, SENSOR_WARM_MS, SENSOR_FAULT_MS);
    sensors[c.name] = r.ok;
    say(`sensor ${c.name}: ${r.ok ? "ok" : "FAILED"} (alarm ${r.alarmRaised}, mask ${r.maskSet}, non-NaN bad readings ${r.notNaN}/${r.statusLines}, SOC deviation ${r.socDeviation}, cycles spanning ${r.cyclesSpanningFault} unflagged ${r.cyclesUnflagged}, rest records ${r.restRecordsDuringFault})`);
  }
  // commands
  const fuzz = await runCommandFuzz({ commands: N.fuzzedCommands, seed: SEED, batch: 20 });
  say(`fuzzed commands: ${fuzz.fuzzedCommands}, unanswered ${fuzz.unanswered}, bad accepted ${fuzz.acceptedBad}, sampler stops ${fuzz.samplerStops}, sampler crashes ${fuzz.samplerCrashes}, config changed ${fuzz.configChanged}, stored files changed ${fuzz.storedFilesChanged}${fuzz.examples.length ? "; e.g. " + fuzz.examples[0] : ""}`);
  // disk
  const disk = await runDiskFull(SPEED);
  say(disk.skipped
    ? `disk full: skipped (${disk.skipped})`
    : `disk full: said so ${disk.saidDiskFull}, full for ${disk.fullForS.toFixed(1)} s, held ${disk.heldBytes} B in memory (bound ${disk.memoryBoundBytes} B), resumed ${disk.saidResumed}, lines logged ${disk.linesLogged}, lost ${disk.linesLost}; read-only --out refused clearly ${disk.unwritableRefusedClearly}`);
  // issue 21: injection, absurd settings, absurd telemetry, raw log first, restarts
  const inj = await runInjectionBench(N.injectionTexts, SEED);
  say(`injection through zbms send: ${inj.texts} texts (reported payloads + seeded Unicode), injected commands run ${inj.injectedRuns}, corrupted ${inj.corrupted}, get not refused ${inj.getNotRefused}, telemetry continues ${inj.telemetryContinues}${inj.examples.length ? "; e.g. " + inj.examples[0] : ""}`);
  const settings = await runSettingsBench();
  say(`absurd settings: ${settings.absurdSettingsSent} sent, accepted ${settings.absurdSettingsAccepted}; 3 000 rapid sets → ${settings.configWritesDuringBurst} config write(s), ${settings.configWritesAfterFlush} after the coalescing interval`);
  const meaning = await runTelemetryMeaningBench();
  say(`CRC-valid absurd telemetry: ${meaning.absurdLinesSent} lines, absurd values accepted into derived files ${meaning.absurdValuesAccepted}, good rows lost ${meaning.goodRowsLost}`);
  const vol = await runSmallVolumeBench(200_000, 2763);
  say(`small volume ${vol.volumeB} B, ${vol.linesSent} lines: derived files took ${vol.derivedB} B, raw log ${vol.rawLogB} B, silent losses ${vol.silentLosses}`);
  const restart = await runRestartBench(N.monitorRestarts, SEED);
  say(`monitor restarts: ${restart.restarts}, lines sent while down ${restart.linesWhileDown}, noted as missing ${restart.linesReported}`);
  say(`total ${((Date.now() - t0) / 1000).toFixed(0)} s${quick ? " (--quick)" : ""}, seed ${SEED}`);
  say(JSON.stringify({
    wrongSamplesAccepted,
    linesLostOnKill: kill.linesLostOnKill,
    maxChargeLostOnPowerCutAh: cut.maxChargeLostOnPowerCutAh,
    saveIntervalS: cut.saveIntervalS,
    corruptRestores: cut.corruptRestores,
    fuzzedCommands: fuzz.fuzzedCommands,
    samplerStops: fuzz.samplerStops,
    corruption,
    gapCountMismatch: gapMismatch,
    kills: kill.kills,
    unreadableBdfFiles: kill.unreadableBdfFiles,
    powerCuts: cut.cuts,
    powerCutsDuringWrite: cut.cutsDuringWrite,
    chargeLostBoundAh: cut.boundAh,
    restoreFlaggedInLog,
    unplugs: un.unplugs,
    maxReconnectMs: un.maxReconnectMs,
    unplugLinesLost: un.linesLostTruth,
    unplugLinesReported: un.linesLostReported,
    sensorCases: sensors,
    commandsUnanswered: fuzz.unanswered,
    badCommandsAccepted: fuzz.acceptedBad,
    configChanged: fuzz.configChanged,
    diskFull: disk.skipped ? { skipped: disk.skipped } : { linesLost: disk.linesLost, heldBytes: disk.heldBytes, memoryBoundBytes: disk.memoryBoundBytes, readOnlyRefusedClearly: disk.unwritableRefusedClearly },
    injectedCommandsRun: inj.injectedRuns,
    injectionTexts: inj.texts,
    injectionCorrupted: inj.corrupted,
    telemetryAfterInjection: inj.telemetryContinues,
    absurdSettingsAccepted: settings.absurdSettingsAccepted,
    configWritesFor3000Sets: settings.configWritesAfterFlush,
    absurdValuesAccepted: meaning.absurdValuesAccepted,
    derivedBytesOnFullVolume: vol.derivedB,
    silentLosses: vol.silentLosses + Math.abs(restart.linesWhileDown - restart.linesReported),
    restartLinesWhileDown: restart.linesWhileDown,
    restartLinesReported: restart.linesReported,
  }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:faults failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  },
);
