/**
 * Regenerates the example pack configs in this folder from the shared defaults
 * (`defaultPackConfig`) plus the few choices each example makes, and checks each with
 * `validateConfig`. Run: `npx tsx hardware/packs/make-packs.ts`. Edit a pack by hand freely
 * afterwards; test/firmware/packs.test.ts validates whatever is here. Each pack declares the
 * sensor chain of the board it is made for (its default board, host/bundle/buildFirmware.ts
 * BOARD_DEFAULT_PACKS), never better than that board delivers: `zbms build` refuses a better
 * one (host/boardDesign/declaredChain.ts).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultPackConfig } from "../../shared/config/defaults";
import { boardSensorChain } from "../../host/boardDesign/accuracy";
import { packMaxCellV } from "../../host/boardDesign/packFit";
import { loadBoard } from "../../host/boardDesign/generate";
import { validateConfig } from "../../shared/config/validateConfig";
import { SIG_DIGITS } from "../../shared/telemetry/fieldText";
import type { PackConfig, SensorChainConfig } from "../../shared/config/packConfig";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The data-sheet chain board `id` delivers for pack `p` (its cells, up to its over-voltage alarm
 * limit; on tap-wired boards a cell is a difference of two taps): the one function,
 * boardSensorChain in host/boardDesign/accuracy.ts, which `zbms build` checks against.
 */
function boardChain(id: string, p: PackConfig): SensorChainConfig {
  const c = boardSensorChain(loadBoard(REPO_ROOT, id), p.cellCount, packMaxCellV(p));
  const r = c as unknown as Record<string, number | number[]>;
  for (const k of Object.keys(r)) {
    const x = r[k]!;
    r[k] = Array.isArray(x) ? x.map((e) => roundUpSig(e, SIG_DIGITS)) : roundUpSig(x, SIG_DIGITS);
  }
  return c;
}

/** Relative size of binary rounding noise in the computed chain terms. */
const FLOAT_NOISE_REL = 1e-12;

/**
 * `x` rounded up to `digits` significant digits: the board's `config` reply carries SIG_DIGITS
 * (shared/telemetry/fieldText.ts), so the file's chain reads back exactly, and rounding up never
 * declares a term below the board's (binary noise below 1e-12, e.g. 0.019725000000000003, is
 * rounded to nearest: far inside declaredChain.ts's comparison slack).
 */
function roundUpSig(x: number, digits: number): number {
  const r = Number(x.toPrecision(digits));
  if (r >= x * (1 - FLOAT_NOISE_REL) || x === 0) return r;
  const unit = Math.pow(10, Math.floor(Math.log10(Math.abs(x))) - digits + 1);
  return Number((r + unit).toPrecision(digits));
}

/** Significant digits kept in the files: drops binary noise such as 1.9000000000000001. */
const FILE_SIG_DIGITS = 12;

function tidy(x: unknown): unknown {
  if (typeof x === "number") return Number(x.toPrecision(FILE_SIG_DIGITS));
  if (Array.isArray(x)) return x.map(tidy);
  if (x !== null && typeof x === "object") {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x)) o[k] = tidy((x as Record<string, unknown>)[k]);
    return o;
  }
  return x;
}

function make(file: string, c: PackConfig): void {
  const v = validateConfig(tidy(c));
  writeFileSync(new URL(file, import.meta.url), JSON.stringify(v, null, 2) + "\n");
  console.log(file + ": " + v.name);
}

// 4 × Zn‖MnO2 pouch, 2 Ah (C/5 = 0.4 A), default board esp32-ads1115 (shunt 50 mΩ); one NTC
// so the pack also fits esp32-adc, which has one temperature channel.
const mn = defaultPackConfig("ZnMnO2", 4, 2);
mn.name = "ZnMnO2 4S 2Ah pouch";
mn.tempCount = 1;
mn.sensorChain = boardChain("esp32-ads1115", mn);
make("znmno2-4s.json", mn);

// 1 × Zn‖I2 pouch, 0.5 Ah, sized for esp32-adc (the ESP32's own ADC, its ±1.6 A current
// channel): that board's chain (current through the INA240A2, cell 0 on divider 1; calibrating
// with `zbms calibrate` lowers the cell-voltage terms on the board); flat plateau: SOC from counting.
const i2 = defaultPackConfig("ZnI2", 1, 0.5);
i2.name = "ZnI2 1S 0.5Ah pouch";
i2.tempCount = 1;
i2.sensorChain = boardChain("esp32-adc", i2);
make("zni2-1s.json", i2);

// 2 × Zn‖PBA (ZnHCF) pouch, 1 Ah, esp32-ina226 (INA226 current on 20 mΩ, cells on the ESP32 ADC
// through dividers 1 and 2), two NTCs.
const pba = defaultPackConfig("ZnPBA", 2, 1);
pba.name = "ZnPBA 2S 1Ah pouch";
pba.tempCount = 2;
pba.sensorChain = boardChain("esp32-ina226", pba);
make("znpba-2s.json", pba);
