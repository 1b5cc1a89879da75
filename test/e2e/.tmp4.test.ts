import { it } from "vitest";
import { readFileSync } from "node:fs";
import { VirtualBoard } from "../../host/board/virtualBoard.js";
it("run", () => {
  const board = JSON.parse(readFileSync("hardware/boards/esp32-ads1115.json", "utf8"));
  const vb = new VirtualBoard({ board, pack: () => ({ cellV: [1.4, 1.5, 1.45, 1.42], currentA: 0.3, tempC: [22, 23] }) });
  vb.evaluate(readFileSync("dist/firmware/zbms.js", "utf8"));
  vb.advance(2000);
  const r = vb.evaluate('E.kickWatchdog = (function (k) { var n = 0; return function () { if (n++ === 0) throw new Error("injected fault"); k(); }; })(E.kickWatchdog)');
  console.log(r);
  vb.advance(4000);
  console.log(vb.output.slice(-1500));
});
