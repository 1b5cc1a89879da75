/**
 * The sensor conversions, the telemetry line format, the config and board validators and the
 * units run (or may run) on the board:
 * bundled the way the firmware build bundles (esbuild, es2015, the same unsupported features),
 * they must pass the Espruino 2v29 subset check (host/bundle/espruinoSubset.ts).
 */
import { describe, expect, it } from "vitest";
import * as esbuild from "esbuild";
import { ESPRUINO_ESBUILD_OPTIONS } from "../../../host/bundle/buildFirmware";
import * as path from "node:path";
import { checkEspruinoSubset, formatFinding } from "../../../host/bundle/espruinoSubset";

const ROOT = path.resolve(__dirname, "../../..");
const MODULES = [
  "shared/sensors/esp32Adc.ts",
  "shared/sensors/calibration.ts",
  "shared/sensors/ads1115.ts",
  "shared/sensors/ina226.ts",
  "shared/sensors/ntc.ts",
  "shared/telemetry/crc32.ts",
  "shared/telemetry/fieldText.ts",
  "shared/telemetry/records.ts",
  "shared/telemetry/lineFormat.ts",
  "shared/config/validateConfig.ts",
  "shared/config/boardDef.ts",
  "shared/config/validateBoard.ts",
  "shared/units.ts",
];

async function bundle(): Promise<string> {
  const entry = MODULES.map((m, i) => `import * as m${i} from ${JSON.stringify("./" + m)};`).join("\n") +
    "\nconsole.log(" + MODULES.map((_, i) => "m" + i).join(", ") + ");\n";
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts", sourcefile: "h3-entry.ts" },
    bundle: true,
    write: false,
    ...ESPRUINO_ESBUILD_OPTIONS,
    minify: false,
    logLevel: "silent",
  });
  return r.outputFiles[0].text;
}

describe("Espruino subset", () => {
  it("sensors, telemetry and validateConfig bundle without constructs Espruino 2v29 lacks", async () => {
    const code = await bundle();
    expect(code).toContain("CRC32_POLY_REFLECTED"); // the bundle really holds the modules
    expect(code).toContain("validateConfig");
    const findings = checkEspruinoSubset(code);
    expect(findings.map(formatFinding)).toEqual([]);
  });
});
