/**
 * The lab feed (`zbms dashboard --mqtt`) against a real Mosquitto: log chunks that arrive twice
 * or overlap (a monitor restarted before its cursor moved) are stored once; a message that is
 * not a log chunk is reported and ignored; rows are only there once committed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { startLab, type RunningLab } from "../../host/dashboard/lab";
import { writeSimLog } from "../host/history/simLogFixture";
import { startMosquitto, type Broker } from "./realServers";

let dir = "";
let broker: Broker | null = null;
let lab: RunningLab | null = null;
afterAll(async () => {
  if (lab) await lab.stop();
  if (broker) {
    await broker.stop();
    fs.rmSync(broker.dir, { recursive: true, force: true });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("lab feed", () => {
  it("stores repeated and overlapping chunks once and ignores junk", async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-feed-"));
    broker = await startMosquitto();
    const problems: string[] = [];
    lab = await startLab({ db: nodePath.join(dir, "db"), mqttFeed: { url: broker.url, client: { clientId: "feed-test", reconnectPeriod: 500 }, onProblem: (m) => problems.push(m) } });
    // publish only once the broker has acknowledged the feed's subscription
    for (const t0 = Date.now(); !lab.feed!.subscribed && Date.now() - t0 < 20000; ) await new Promise((r) => setTimeout(r, 20));
    expect(lab.feed!.subscribed).toBe(true);

    const log = writeSimLog(dir, "ttyUSB0-20261201T100000Z.raw.log");
    const text = fs.readFileSync(log, "latin1");
    const samples = text.split("\n").filter((l) => {
      const d = decodeLine(l);
      return d.ok && d.record.type === "status";
    }).length;
    // cut at a line end near the middle and near a quarter
    const cut = (f: number): number => text.indexOf("\n", Math.floor(text.length * f)) + 1;
    const half = cut(0.5);
    const quarter = cut(0.25);
    const chunk = (from: number, to: number): string => JSON.stringify({ board: "lab1/ttyUSB0", file: "lab1/ttyUSB0-20261201T100000Z.raw.log", offset: from, text: text.slice(from, to) });
    const pub = await mqtt.connectAsync(broker.url, { clientId: "fake-monitor" });
    await pub.publishAsync("zbms/_log/lab1/ttyUSB0", chunk(0, half), { qos: 1 });
    await pub.publishAsync("zbms/_log/lab1/ttyUSB0", chunk(0, half), { qos: 1 }); // the same again
    await pub.publishAsync("zbms/_log/lab1/ttyUSB0", "not json {", { qos: 1 });
    await pub.publishAsync("zbms/_log/lab1/ttyUSB0", chunk(quarter, text.length), { qos: 1 }); // overlaps the first
    await pub.endAsync();
    const count = async (): Promise<number> => Number((await lab!.db.query<{ n: string }>("SELECT count(*) AS n FROM samples"))[0]!.n);
    const t0 = Date.now();
    while ((await count()) < samples && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(samples);
    expect(lab.feed!.duplicates).toBe(1);
    expect(lab.feed!.holes).toBe(0);
    expect(problems.join("\n")).toMatch(/not a log chunk .*"not json \{"/);
  }, 90000);
});
