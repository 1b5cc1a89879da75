/**
 * Broker connection options, named as the MQTT tools name them (mosquitto_pub/sub):
 * `--mqtt mqtt://host[:port]` or `mqtts://…` (TLS), `--mqtt-username`, the password from the
 * environment (`ZBMS_MQTT_PASSWORD`) or a file (`--mqtt-pw-file`) — never from the command line,
 * where `ps` shows it — and for TLS `--mqtt-cafile`, `--mqtt-cert`, `--mqtt-key`,
 * `--mqtt-insecure` (skip the server-certificate check). A password inside the URL is accepted
 * but never printed: `redactMqttUrl` is what goes to the screen.
 */
import * as fs from "node:fs";
import type { IClientOptions } from "mqtt";

export interface MqttFlags {
  mqtt?: string;
  mqttUsername?: string;
  mqttPwFile?: string;
  mqttCafile?: string;
  mqttCert?: string;
  mqttKey?: string;
  mqttInsecure?: boolean;
  /** Topic root (default "zbms"). */
  mqttTopic?: string;
}

export const DEFAULT_TOPIC_ROOT = "zbms";
/** Reconnect attempt period while the broker is away (ms). */
export const RECONNECT_MS = 1000;

export function redactMqttUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable MQTT URL)";
  }
}

function readFile(flag: string, path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new Error(`${flag}: cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** mqtt.js options from the flags and the environment; `clientId` names this client to the broker. */
export function clientOptions(flags: MqttFlags, clientId: string, env: NodeJS.ProcessEnv = process.env): IClientOptions {
  const url = flags.mqtt ?? "";
  if (!/^mqtts?:\/\/|^wss?:\/\//.test(url)) throw new Error(`--mqtt: expected mqtt://host[:port] or mqtts://host[:port]; got "${redactMqttUrl(url)}"`);
  const o: IClientOptions = { clientId, reconnectPeriod: RECONNECT_MS, connectTimeout: 10000, protocolVersion: 4 };
  if (flags.mqttUsername) o.username = flags.mqttUsername;
  if (flags.mqttPwFile) o.password = readFile("--mqtt-pw-file", flags.mqttPwFile).toString("utf8").replace(/\r?\n$/, "");
  else if (env.ZBMS_MQTT_PASSWORD) o.password = env.ZBMS_MQTT_PASSWORD;
  if (flags.mqttCafile) o.ca = readFile("--mqtt-cafile", flags.mqttCafile);
  if (flags.mqttCert) o.cert = readFile("--mqtt-cert", flags.mqttCert);
  if (flags.mqttKey) o.key = readFile("--mqtt-key", flags.mqttKey);
  if (flags.mqttInsecure) o.rejectUnauthorized = false;
  return o;
}

/** Topic-safe board name: MQTT wildcards and control characters become "_". */
export function topicSafe(s: string): string {
  return s.replace(/[#+\u0000-\u001f]/g, "_");
}
