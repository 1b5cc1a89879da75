/**
 * Real servers for the lab tests, started in a temp folder on a free 127.0.0.1 port and stopped
 * by the test: a throwaway PostgreSQL 15 cluster (Debian's postgresql package: initdb + pg_ctl)
 * and a Mosquitto broker with a temp config. PostgreSQL refuses to run as root, so under root
 * the cluster is owned by and run as the `postgres` user (runuser).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as nodePath from "node:path";

export const PG_BIN = process.env.ZBMS_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve(a.port));
    });
  });
}

export interface PgServer {
  url: string;
  stop(): void;
}

function asPgUser(cmd: string, args: string[]): string[] {
  return process.getuid && process.getuid() === 0 ? ["runuser", "-u", "postgres", "--", cmd, ...args] : [cmd, ...args];
}

function run(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
}

export async function startPostgres(): Promise<PgServer> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-pg-"));
  if (process.getuid && process.getuid() === 0) execFileSync("chown", ["postgres", dir]);
  const data = nodePath.join(dir, "data");
  const port = await freePort();
  // small and quiet: a test server on a loaded machine, not a production one
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c shared_buffers=16MB -c max_connections=20`;
  try {
    run(asPgUser(nodePath.join(PG_BIN, "initdb"), ["-D", data, "-A", "trust", "-U", "zbms", "--no-sync", "-E", "UTF8"]));
    run(asPgUser(nodePath.join(PG_BIN, "pg_ctl"), ["-D", data, "-l", nodePath.join(dir, "log"), "-o", opts, "-w", "-t", "60", "start"]));
  } catch (e) {
    const log = fs.existsSync(nodePath.join(dir, "log")) ? fs.readFileSync(nodePath.join(dir, "log"), "utf8").slice(-500) : "";
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start PostgreSQL from ${PG_BIN} (Debian package postgresql): ${(e as Error).message.split("\n")[0]}${log ? "\n" + log : ""}`);
  }
  return {
    url: `postgres://zbms@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run(asPgUser(nodePath.join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface Broker {
  port: number;
  url: string;
  child: ChildProcess;
  /** Stop (SIGTERM) and wait. */
  stop(): Promise<void>;
  /** Start again on the same port with the same config (after stop). */
  restart(): Promise<void>;
  dir: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1 (openssl), PEM files in `dir`. */
export function makeTlsFiles(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string): string => nodePath.join(dir, n);
  const ossl = (args: string[]): void => void execFileSync("openssl", args, { stdio: "ignore" });
  ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=zbms test CA"]);
  ossl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1"]);
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
  ossl(["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("ext.cnf")]);
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

/**
 * Mosquitto on 127.0.0.1:<free port>; `users` gives name → password (anonymous refused then);
 * `tls` makes the listener TLS-only (url then starts with mqtts://).
 */
export async function startMosquitto(users?: Record<string, string>, tls?: boolean): Promise<Broker & { tlsFiles?: { ca: string; cert: string; key: string } }> {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "zbms-mqtt-"));
  const port = await freePort();
  const conf = [`listener ${port} 127.0.0.1`, "persistence true", `persistence_location ${dir}/`, "log_dest none"];
  const tlsFiles = tls ? makeTlsFiles(dir) : undefined;
  if (tlsFiles) conf.push(`cafile ${tlsFiles.ca}`, `certfile ${tlsFiles.cert}`, `keyfile ${tlsFiles.key}`);
  if (users) {
    const pw = nodePath.join(dir, "passwd");
    fs.writeFileSync(pw, "");
    for (const [u, p] of Object.entries(users)) execFileSync("mosquitto_passwd", ["-b", pw, u, p]);
    fs.chmodSync(pw, 0o600);
    conf.push("allow_anonymous false", `password_file ${pw}`);
  } else conf.push("allow_anonymous true");
  const confPath = nodePath.join(dir, "mosquitto.conf");
  fs.writeFileSync(confPath, conf.join("\n") + "\n");
  // started as root, mosquitto drops to its own user: let that user read the passwords and write its store
  if (process.getuid && process.getuid() === 0) execFileSync("chown", ["-R", "mosquitto", dir]);
  const b: Broker & { tlsFiles?: typeof tlsFiles } = {
    tlsFiles,
    port,
    url: `${tls ? "mqtts" : "mqtt"}://127.0.0.1:${port}`,
    dir,
    child: null as unknown as ChildProcess,
    stop: async () => {
      if (b.child.exitCode !== null || b.child.signalCode !== null) return;
      const done = new Promise((r) => b.child.once("exit", r));
      b.child.kill("SIGTERM");
      await done;
    },
    restart: async () => {
      b.child = spawn("mosquitto", ["-c", confPath], { stdio: "ignore" });
      await waitForPort(port);
      if (b.child.exitCode !== null) throw new Error(`mosquitto exited (${b.child.exitCode}); config ${confPath}`);
    },
  };
  try {
    await b.restart();
  } catch (e) {
    if (b.child && b.child.exitCode === null) b.child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return b;
}

export async function waitForPort(port: number, timeoutMs = 15000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
