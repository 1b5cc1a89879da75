/**
 * A real Mosquitto broker with a password file: the monitor's publisher (with credentials)
 * publishes a simulated pack's log — its samples, cycle records, retained status and Home
 * Assistant discovery configs — and a client with the lab's credentials receives them, while a
 * client without credentials (or with a wrong password) is refused and receives nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeLine } from "../../shared/telemetry/lineFormat";
import { MqttPublisher } from "../../host/mqtt/publisher";
import { clientOptions } from "../../host/mqtt/options";
import { writeSimLog } from "../host/history/simLogFixture";
import { startMosquitto, type Broker } from "./realServers";

let dir = "";
let broker: Broker | null = null;
beforeAll(async () => {
  dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-mqtt-auth-"));
  broker = await startMosquitto({ lab: "s3cret-pw" });
}, 30000);
afterAll(async () => {
  if (broker) await broker.stop();
  if (broker) fs.rmSync(broker.dir, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function collect(client: mqtt.MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  client.on("message", (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return got;
}

describe("MQTT with credentials (real Mosquitto)", () => {
  it("the lab's client receives every record; a client without credentials receives nothing", async () => {
    const logs = nodePath.join(dir, "logs");
    fs.mkdirSync(logs);
    const log = writeSimLog(logs, "ttyUSB0-20261201T100000Z.raw.log");
    const want = fs.readFileSync(log, "latin1").split("\n").map(decodeLine).filter((d) => d.ok);

    const good = await mqtt.connectAsync(broker!.url, { username: "lab", password: "s3cret-pw", reconnectPeriod: 0 });
    const got = collect(good);
    await good.subscribeAsync("#", { qos: 1 });
    // anonymous and wrong-password clients are refused at CONNECT
    await expect(mqtt.connectAsync(broker!.url, { reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(mqtt.connectAsync(broker!.url, { username: "lab", password: "wrong", reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/Not authorized|Bad username/i);

    const pub = new MqttPublisher({
      url: broker!.url,
      client: clientOptions({ mqtt: broker!.url, mqttUsername: "lab" }, "test-monitor", { ZBMS_MQTT_PASSWORD: "s3cret-pw" }),
      dir: logs,
      boardPrefix: "lab1/",
    });
    await new Promise<void>((r) => pub.client.once("connect", () => r()));
    await pub.poll();
    await pub.stop();
    const samples = want.filter((d) => d.ok && d.record.type === "status").length;
    const cycles = want.filter((d) => d.ok && d.record.type === "cycle").length;
    const t0 = Date.now();
    while (got.filter((m) => m.topic === "zbms/lab1/ttyUSB0/sample").length < samples && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 100));
    await good.endAsync();
    const sampleMsgs = got.filter((m) => m.topic === "zbms/lab1/ttyUSB0/sample").map((m) => JSON.parse(m.payload) as { seq: number; cellV: number[] });
    expect(sampleMsgs.length).toBe(samples);
    // in sequence order, each once
    expect(sampleMsgs.map((m) => m.seq)).toEqual([...sampleMsgs.map((m) => m.seq)].sort((a, b) => a - b));
    expect(new Set(sampleMsgs.map((m) => m.seq)).size).toBe(samples);
    expect(got.filter((m) => m.topic === "zbms/lab1/ttyUSB0/cycle").length).toBe(cycles);
    expect(got.some((m) => m.topic === "zbms/lab1/ttyUSB0/status")).toBe(true);
    const ha = got.filter((m) => m.topic.startsWith("homeassistant/"));
    expect(ha.map((m) => m.topic)).toContain("homeassistant/sensor/zbms_lab1_ttyUSB0_cell1_v/config");
    expect(JSON.parse(ha[0]!.payload)).toMatchObject({ state_topic: "zbms/lab1/ttyUSB0/status" });
    // the retained status is there for a client arriving later (with credentials)
    const late = await mqtt.connectAsync(broker!.url, { username: "lab", password: "s3cret-pw", reconnectPeriod: 0 });
    const lateGot = collect(late);
    await late.subscribeAsync("zbms/lab1/ttyUSB0/status", { qos: 1 });
    const t1 = Date.now();
    while (lateGot.length === 0 && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50));
    await late.endAsync();
    expect(lateGot[0]!.retain).toBe(true);
    expect(JSON.parse(lateGot[0]!.payload).cellV.length).toBe(4);
  }, 90000);
});

describe("MQTT secrets stay secret", () => {
  it("a password in the URL or the environment is never printed by zbms dashboard", async () => {
    const { runZbms } = await import("../e2e/monitorCli");
    const url = broker!.url.replace("mqtt://", "mqtt://lab:s3cret-pw@");
    const r = await runZbms(["dashboard", "--mqtt", url, "--db", nodePath.join(dir, "secretdb"), "--port", "0", "--duration", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("lab feed: mqtt://lab:***@127.0.0.1");
    expect(r.stdout + r.stderr).not.toContain("s3cret-pw");
    // a wrong password from the environment: refused, said so, not echoed
    const bad = await runZbms(["dashboard", "--mqtt", broker!.url, "--mqtt-username", "lab", "--db", nodePath.join(dir, "secretdb"), "--port", "0", "--duration", "2"], { ZBMS_MQTT_PASSWORD: "wrong-secret-77" });
    expect(bad.stdout + bad.stderr).toMatch(/Not authorized|Bad user/i);
    expect(bad.stdout + bad.stderr).not.toContain("wrong-secret-77");
  }, 90000);
});

describe("MQTT over TLS (real Mosquitto, throwaway CA)", () => {
  it("connects with --mqtt-cafile and refuses a server it cannot verify", async () => {
    const tlsBroker = await startMosquitto({ lab: "s3cret-pw" }, true);
    try {
      const env = { ZBMS_MQTT_PASSWORD: "s3cret-pw" };
      const ok = await mqtt.connectAsync(tlsBroker.url, clientOptions({ mqtt: tlsBroker.url, mqttUsername: "lab", mqttCafile: tlsBroker.tlsFiles!.ca }, "tls-ok", env));
      expect(ok.connected).toBe(true);
      await ok.endAsync();
      // without the CA the self-signed chain is not trusted
      await expect(mqtt.connectAsync(tlsBroker.url, { ...clientOptions({ mqtt: tlsBroker.url, mqttUsername: "lab" }, "tls-no-ca", env), reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/certificate/i);
    } finally {
      await tlsBroker.stop();
      fs.rmSync(tlsBroker.dir, { recursive: true, force: true });
    }
  }, 60000);
});
