/**
 * `zbms monitor --mqtt URL`: publish what the monitor logs to an MQTT broker (topics and
 * payloads: docs/protocol.md, "MQTT"). Like the history feed, it follows the raw logs in the
 * monitor's --out folder, so the raw log *is* the disk buffer: a cursor file
 * (`.zbms-mqtt-cursor.json` in that folder) records how far each log has been published and
 * acknowledged (QoS 1 PUBACK). While the broker is away nothing advances; when it returns the
 * logs are published from the cursor on, in order. A monitor killed between a publish and the
 * cursor's update publishes that chunk again on restart: the lab side drops it by its offset and
 * keys (board, boot, seq), so nothing is lost and nothing is stored twice.
 *
 * Per log chunk: `<root>/_log/<board>` (the raw text with file and byte offset — the lossless feed
 * of `zbms dashboard --mqtt`, on its own branch so the lab feed receives nothing else), then one
 * message per record: `…/sample`, `…/cycle`, `…/rest`,
 * `…/retention`, `…/alarm`; the latest `…/status` is retained, and Home Assistant discovery
 * configs are published (retained) the first time a board is seen.
 */
import * as fs from "node:fs";
import * as nodePath from "node:path";
import type { IClientOptions, MqttClient } from "mqtt";
import { requirePackage } from "../util/lazyPackage";
import { rawLogsIn } from "../history/ingest";
import { boardOfLogName, emptyState, rowsFromText, stateFromJson, type FollowState, type RowBatch } from "../history/logRows";
import { writeFileAtomic } from "../util/atomicWrite.mjs";
import { DEFAULT_TOPIC_ROOT, topicSafe } from "./options";
import { discoveryMessages } from "./homeAssistant";

/** Bytes of log per chunk message (well under a broker's default 256 MB limit; small for latency). */
export const CHUNK_B = 64 * 1024;
/** How often the logs are looked at (ms). */
export const POLL_MS = 250;
/** Shortest interval between retained status updates of one board (ms). */
export const STATUS_MIN_MS = 1000;
const QOS = 1 as const;

export interface LogChunkMessage {
  board: string;
  /** File key: board prefix + raw log file name. */
  file: string;
  /** Byte offset of `text` in the file. */
  offset: number;
  text: string;
}

interface CursorEntry {
  state: FollowState;
  /** Boot key of the boot in progress at `state.offset` (the publisher's own boot numbers are local). */
  bootKey: string;
}

export interface PublisherOptions {
  url: string;
  client: IClientOptions;
  dir: string;
  boardPrefix?: string;
  root?: string;
  /** Publish Home Assistant discovery configs (default true). */
  homeAssistant?: boolean;
}

export class MqttPublisher {
  readonly client: MqttClient;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private readonly cursorPath: string;
  private cursor: Record<string, CursorEntry> = {};
  private readonly announced = new Set<string>();
  private readonly lastStatusMs = new Map<string, number>();
  private readonly root: string;
  /** Records published since start (for the summary and the benchmark). */
  published = 0;
  lastError = "";

  constructor(private readonly opts: PublisherOptions) {
    this.root = opts.root ?? DEFAULT_TOPIC_ROOT;
    this.cursorPath = nodePath.join(opts.dir, ".zbms-mqtt-cursor.json");
    try {
      const raw = JSON.parse(fs.readFileSync(this.cursorPath, "utf8")) as Record<string, { state: unknown; bootKey: string }>;
      for (const [k, v] of Object.entries(raw)) this.cursor[k] = { state: stateFromJson(v.state), bootKey: String(v.bootKey ?? "") };
    } catch {
      this.cursor = {};
    }
    const mqtt = requirePackage<typeof import("mqtt")>("mqtt", "publish to an MQTT broker");
    this.client = mqtt.connect(opts.url, {
      ...opts.client,
      will: { topic: `${this.root}/_monitors/${topicSafe(String(opts.client.clientId))}`, payload: Buffer.from("offline"), qos: QOS, retain: true },
    });
    this.client.on("error", (e) => (this.lastError = e.message)); // reconnects on its own
    this.client.on("connect", () => void this.client.publishAsync(`${this.root}/_monitors/${topicSafe(String(opts.client.clientId))}`, "online", { qos: QOS, retain: true }).catch(() => undefined));
  }

  start(): void {
    fs.mkdirSync(this.opts.dir, { recursive: true });
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  /** Publish what the logs gained since the cursor (no-op while the broker is away). */
  poll(): Promise<void> {
    this.busy = this.busy.then(async () => {
      for (const f of rawLogsIn(this.opts.dir)) {
        while (this.client.connected) {
          try {
            if (!(await this.publishChunk(f))) break;
          } catch (e) {
            this.lastError = e instanceof Error ? e.message : String(e);
            return; // broker went away mid-chunk: the cursor did not move; retried on the next poll
          }
        }
      }
    });
    return this.busy;
  }

  /** One chunk of one log; false when there was nothing new. */
  private async publishChunk(path: string): Promise<boolean> {
    const prefix = this.opts.boardPrefix ?? "";
    const base = nodePath.basename(path);
    const key = prefix + base;
    const board = prefix + boardOfLogName(base);
    const cur = this.cursor[key] ?? { state: emptyState(), bootKey: "" };
    let text: string;
    const fd = fs.openSync(path, "r");
    try {
      const buf = Buffer.alloc(CHUNK_B);
      const n = fs.readSync(fd, buf, 0, CHUNK_B, cur.state.offset);
      text = buf.toString("latin1", 0, n);
    } finally {
      fs.closeSync(fd);
    }
    const { batch, state } = rowsFromText(key, text, cur.state);
    if (state.offset === cur.state.offset) return false;
    const chunk: LogChunkMessage = { board, file: key, offset: cur.state.offset, text: text.slice(0, state.offset - cur.state.offset) };
    const t = `${this.root}/${topicSafe(board)}`;
    const bootKeys = new Map<number, string>(batch.boots.map((b) => [b.boot, b.key]));
    const bootKeyOf = (boot: number): string => bootKeys.get(boot) ?? cur.bootKey;
    const pubs: Promise<unknown>[] = [this.client.publishAsync(`${this.root}/_log/${topicSafe(board)}`, JSON.stringify(chunk), { qos: QOS })];
    if (!this.announced.has(board) && this.opts.homeAssistant !== false && batch.samples.length > 0) {
      for (const m of discoveryMessages(t, board, batch.samples[0]!.cellV.length, batch.samples[0]!.tempC.length)) pubs.push(this.client.publishAsync(m.topic, m.payload, { qos: QOS, retain: true }));
      this.announced.add(board);
    }
    for (const s of batch.samples) pubs.push(this.client.publishAsync(`${t}/sample`, JSON.stringify({ board, bootKey: bootKeyOf(s.boot), ...s, boot: undefined }, nanNull), { qos: QOS }));
    for (const e of batch.events) pubs.push(this.client.publishAsync(`${t}/${e.record.type}`, JSON.stringify({ board, bootKey: bootKeyOf(e.boot), seq: e.seq, tMs: e.tMs, boardTMs: e.boardTMs, record: e.record }, nanNull), { qos: QOS }));
    pubs.push(...this.statusMessages(t, board, batch));
    await Promise.all(pubs);
    this.published += batch.samples.length + batch.events.length;
    this.cursor[key] = { state, bootKey: bootKeyOf(state.boot) };
    writeFileAtomic(this.cursorPath, JSON.stringify(this.cursor, nanNull));
    return true;
  }

  /** The retained pack status: latest sample, at most every STATUS_MIN_MS per board. */
  private statusMessages(t: string, board: string, batch: RowBatch): Promise<unknown>[] {
    const s = batch.samples[batch.samples.length - 1];
    const now = Date.now();
    if (!s || now - (this.lastStatusMs.get(board) ?? 0) < STATUS_MIN_MS) return [];
    this.lastStatusMs.set(board, now);
    const status = { board, tMs: s.tMs, cellV: s.cellV, currentA: s.currentA, tempC: s.tempC, socPct: s.socFrac.map((x) => x * 100), segment: s.segment, cycleCount: s.cycleCount, alarmMask: s.alarmMask, alarm: s.alarmMask !== 0 ? "ON" : "OFF" };
    return [this.client.publishAsync(`${t}/status`, JSON.stringify(status, nanNull), { qos: QOS, retain: true })];
  }

  /** Publish what is left (if the broker is there), then disconnect. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.poll();
    await this.client.endAsync(!this.client.connected); // broker away: do not wait for it
  }
}

/** JSON has no NaN: an invalid channel goes out as null. */
function nanNull(_k: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}
