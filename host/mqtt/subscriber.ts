/**
 * `zbms dashboard --mqtt URL`: the whole lab's monitors, through the broker, into one history
 * database. It subscribes to every board's log chunks (`<root>/_log/#`) (QoS 1, a persistent session
 * under a fixed client id, so the broker keeps what arrives while the dashboard is down) and
 * acknowledges a message only after its rows are committed: a crash never loses a chunk, and a
 * chunk that arrives twice (a monitor restarted before its cursor moved, a broker redelivery)
 * is recognised by its file offset and keys and stored once.
 */
import type { IClientOptions, IPublishPacket, MqttClient } from "mqtt";
import { requirePackage } from "../util/lazyPackage";
import type { Db } from "../history/db";
import type { CommittedChunk } from "../history/ingest";
import { emptyState, rowsFromText, type FollowState } from "../history/logRows";
import { commitBatch, loadFileState } from "../history/store";
import { DEFAULT_TOPIC_ROOT, RECONNECT_MS } from "./options";
import type { LogChunkMessage } from "./publisher";

export interface LabFeedOptions {
  url: string;
  client: IClientOptions;
  root?: string;
  onChunk: (c: CommittedChunk) => void;
  /** A message could not be used (bad JSON, a hole in a log): one line each (default: stderr). */
  onProblem?: (message: string) => void;
}

export class MqttLabFeed {
  readonly client: MqttClient;
  private queue: Promise<void> = Promise.resolve();
  private readonly states = new Map<string, FollowState>();
  /** Chunks committed / skipped as already stored. */
  committed = 0;
  duplicates = 0;
  holes = 0;
  /** True once the broker has acknowledged the subscription (SUBACK): chunks published from now on reach us. */
  subscribed = false;

  constructor(private readonly db: Db, private readonly opts: LabFeedOptions) {
    const root = opts.root ?? DEFAULT_TOPIC_ROOT;
    const mqtt = requirePackage<typeof import("mqtt")>("mqtt", "subscribe to an MQTT broker");
    this.client = mqtt.connect(opts.url, { ...opts.client, clean: false });
    // acknowledge (PUBACK) only once the chunk is in the database, one chunk at a time
    this.client.handleMessage = (packet: IPublishPacket, done: (e?: Error) => void): void => {
      this.queue = this.queue.then(() => this.handle(packet)).then(
        () => done(),
        (e: unknown) => {
          this.problem(`could not store a chunk from ${packet.topic}: ${e instanceof Error ? e.message : String(e)}; the broker will deliver it again`);
          // no PUBACK: drop the connection so the broker redelivers on reconnect
          this.client.stream.destroy();
        },
      );
    };
    let down = false; // one message per outage, not one per reconnect attempt
    this.client.on("connect", () => {
      if (down) this.problem("broker reachable again");
      down = false;
      this.client.subscribeAsync(`${root}/_log/#`, { qos: 1 }).then(
        () => (this.subscribed = true),
        (e: Error) => this.problem(`subscribe failed: ${e.message}`),
      );
    });
    this.client.on("error", (e) => {
      if (!down) this.problem(`broker: ${e.message}; retrying every ${RECONNECT_MS / 1000} s`);
      down = true;
    });
  }

  private problem(m: string): void {
    (this.opts.onProblem ?? ((t: string) => process.stderr.write(`zbms dashboard: ${t}\n`)))(m);
  }

  private async handle(packet: IPublishPacket): Promise<void> {
    let m: LogChunkMessage;
    try {
      m = JSON.parse(packet.payload.toString()) as LogChunkMessage;
      if (typeof m.board !== "string" || typeof m.file !== "string" || typeof m.text !== "string" || !Number.isSafeInteger(m.offset) || m.offset < 0) throw new Error("missing fields");
    } catch (e) {
      this.problem(`ignored a message on ${packet.topic}: not a log chunk (${(e as Error).message}): ${JSON.stringify(packet.payload.toString().slice(0, 80))}`);
      return;
    }
    // this feed is the only writer of its files' positions: keep them in memory after the first read
    let state = this.states.get(m.file) ?? (await loadFileState(this.db, m.file)) ?? emptyState();
    let text = m.text;
    const end = m.offset + Buffer.byteLength(text, "latin1");
    if (end <= state.offset) {
      this.duplicates++;
      return;
    }
    if (m.offset < state.offset) text = Buffer.from(text, "latin1").subarray(state.offset - m.offset).toString("latin1");
    else if (m.offset > state.offset) {
      this.holes++;
      this.problem(`${m.file}: bytes ${state.offset}…${m.offset} never arrived; storing from ${m.offset} on (the lines are in that monitor's raw log)`);
      state = { ...state, offset: m.offset };
    }
    const { batch, state: next } = rowsFromText(m.file, text, state);
    const committed = await commitBatch(this.db, m.board, m.file, batch, next);
    this.states.set(m.file, committed);
    this.committed++;
    this.opts.onChunk({ board: m.board, batch, state: committed });
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
    await this.queue;
  }
}
