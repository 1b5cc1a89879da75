/**
 * Start the lab side of one host: the history database, its feed (a monitor's log folder,
 * followed as the logs grow) and optionally the dashboard server, which the feed keeps live.
 * Used by `zbms dashboard` and by `zbms monitor --db … / --dashboard …`.
 *
 * A PGlite folder is opened by one process at a time: run the feed and the dashboard in one
 * process (`zbms monitor --dashboard`, or `zbms dashboard --logs DIR` beside a monitor), or
 * use a PostgreSQL server for several.
 */
import * as crypto from "node:crypto";
import { openDb, type Db } from "../history/db";
import { LogFollower, type CommittedChunk } from "../history/ingest";
import { createSchema } from "../history/store";
import { DashboardServer, isLoopback } from "./server";
import { MqttLabFeed } from "../mqtt/subscriber";
import { MqttPublisher, type PublisherOptions } from "../mqtt/publisher";
import type { IClientOptions } from "mqtt";

/** Default dashboard address and port. */
export const DEFAULT_DASHBOARD_HOST = "127.0.0.1";
export const DEFAULT_DASHBOARD_PORT = 8180;
/** Random bytes of a generated token (256 bits). */
const TOKEN_BYTES = 32;

export interface LabOptions {
  db: string;
  /** Monitor log folder to follow (omit to only show what the database has). */
  logDir?: string;
  /** Board-name prefix for this host's boards ("lab1/"). */
  boardPrefix?: string;
  dashboard?: { host: string; port: number; token?: string };
  /** Extra consumer of committed rows. */
  onChunk?: (c: CommittedChunk) => void;
  /** Subscribe to a whole lab's monitors through this broker. */
  mqttFeed?: { url: string; client: IClientOptions; root?: string; onProblem?: (message: string) => void };
}

export interface RunningLab {
  db: Db;
  follower: LogFollower | null;
  feed: MqttLabFeed | null;
  server: DashboardServer | null;
  /** The dashboard's address (with `?token=` when one was generated here); "" without a dashboard. */
  url: string;
  /** The token was generated here (print the URL); false when the user gave it (never echo it). */
  generatedToken: boolean;
  stop(): Promise<void>;
}

export async function startLab(opts: LabOptions): Promise<RunningLab> {
  const db = await openDb(opts.db);
  await createSchema(db);
  let server: DashboardServer | null = null;
  let url = "";
  let generatedToken = false;
  if (opts.dashboard) {
    let token = opts.dashboard.token;
    if (!token && !isLoopback(opts.dashboard.host)) {
      token = crypto.randomBytes(TOKEN_BYTES).toString("base64url");
      generatedToken = true;
    }
    server = new DashboardServer({ db, host: opts.dashboard.host, port: opts.dashboard.port, token });
    url = await server.start();
    if (generatedToken) url += `?token=${token}`;
  }
  const follower = opts.logDir
    ? new LogFollower(db, opts.logDir, (c) => {
        if (server) server.publish(c);
        if (opts.onChunk) opts.onChunk(c);
      }, opts.boardPrefix ?? "")
    : null;
  if (follower) {
    await follower.poll();
    follower.start();
  }
  const feed = opts.mqttFeed
    ? new MqttLabFeed(db, {
        ...opts.mqttFeed,
        onChunk: (c) => {
          if (server) server.publish(c);
          if (opts.onChunk) opts.onChunk(c);
        },
      })
    : null;
  return {
    db,
    follower,
    feed,
    server,
    url,
    generatedToken,
    stop: async () => {
      if (feed) await feed.stop();
      if (follower) await follower.stop();
      if (server) await server.close();
      await db.close();
    },
  };
}

/** `zbms monitor --mqtt`: the publisher beside the monitor (no database needed on this host). */
export function startPublisher(opts: PublisherOptions): MqttPublisher {
  const p = new MqttPublisher(opts);
  p.start();
  return p;
}
