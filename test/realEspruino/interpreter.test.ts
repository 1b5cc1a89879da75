/**
 * The real Espruino 2v29 interpreter is in the loop (tools/espruino): both variants start, the
 * ESP32 format has 14-byte JsVars and the pool size a test chooses, and the construct that broke
 * every zbms bundle (a named class expression naming itself) still fails there — so the build must
 * refuse it (host/bundle).
 */
import { afterEach, describe, expect, it } from "vitest";
import { realEspruino, ESP32_POOL_200KB_FREE } from "../../tools/espruino/interpreters";
import { EspruinoProcess } from "../../tools/espruino/process";

const found = realEspruino();
const procs: EspruinoProcess[] = [];
afterEach(async () => {
  await Promise.all(procs.splice(0).map((p) => p.dispose()));
});

function start(variant: "native" | "esp32", poolJsVars?: number): EspruinoProcess {
  if (!found.ok) throw new Error(found.reason);
  const p = new EspruinoProcess(found.espruino, { variant, ...(poolJsVars ? { poolJsVars } : {}) });
  procs.push(p);
  return p;
}

describe.skipIf(!found.ok)(`real Espruino 2v29${found.ok ? "" : ` (skipped: ${found.reason})`}`, () => {
  it("the ESP32 format has 14-byte JsVars and the chosen pool", async () => {
    const p = start("esp32", ESP32_POOL_200KB_FREE);
    p.send('print("MEM", JSON.stringify(process.memory()))');
    const line = await p.waitFor(/^MEM /, 30_000);
    const mem = JSON.parse(line.slice(4)) as { total: number; blocksize: number };
    expect(mem.blocksize).toBe(14);
    expect(mem.total).toBe(ESP32_POOL_200KB_FREE);
  });

  it("the native build runs and reports its version", async () => {
    const p = start("native");
    p.send('print("VER", process.version)');
    expect(await p.waitFor(/^VER /, 10_000)).toBe("VER 2v29");
  });

  it("a named class expression cannot see its own name (why host/bundle refuses it)", async () => {
    const p = start("native");
    p.send('try { var A = class B { constructor(){ this.x = B.f(); } static f(){ return 1; } }; new A(); print("OK"); } catch (e) { print("ERR", e); }');
    expect(await p.waitFor(/^(OK|ERR)/, 10_000)).toMatch(/^ERR .*"B" is not defined/);
  });
});
