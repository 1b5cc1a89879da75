/**
 * One small SQL interface over the two engines the history can live in:
 * - PGlite (PostgreSQL compiled to WebAssembly, `@electric-sql/pglite`): the default, a folder
 *   on disk next to the logs, no server and no compiler;
 * - a real PostgreSQL server (`--db postgres://…`, the `pg` client).
 * Both speak the same SQL with `$1` parameters, so the schema and every query are shared.
 */
import * as fs from "node:fs";

export interface Db {
  /** Run one statement; rows come back as plain objects. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run `fn` in one transaction (all or nothing). */
  tx<T>(fn: (q: Db["query"]) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** "pglite:<dir>" or "postgres://host:port/db" without the password (safe to print). */
  readonly label: string;
}

/** `postgres://user:secret@h/db` → `postgres://user@h/db`: never print a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

export async function openPglite(dir: string): Promise<Db> {
  const { PGlite } = await import("@electric-sql/pglite");
  fs.mkdirSync(dir, { recursive: true }); // the log folder may not exist yet either
  const pg = await PGlite.create(dir);
  const query = async <T>(sql: string, params?: unknown[]): Promise<T[]> => (await pg.query<T>(sql, params)).rows;
  return {
    label: `pglite:${dir}`,
    query,
    tx: (fn) => pg.transaction((t) => fn(async <T>(sql: string, params?: unknown[]) => (await t.query<T>(sql, params)).rows)),
    close: () => pg.close(),
  };
}

export async function openPostgres(url: string): Promise<Db> {
  const pgMod = await import("pg");
  const pool = new pgMod.default.Pool({ connectionString: url, max: 4 });
  // a server that is down or refuses us: say so now, with the URL minus its password
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end();
    throw new Error(`cannot connect to ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const query = async <T>(sql: string, params?: unknown[]): Promise<T[]> => (await pool.query(sql, params)).rows as T[];
  return {
    label: redactUrl(url),
    query,
    tx: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        const out = await fn(async <T>(sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as T[]);
        await c.query("COMMIT");
        return out;
      } catch (e) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** `postgres://…` / `postgresql://…` → a server; anything else is a PGlite folder. */
export function openDb(target: string): Promise<Db> {
  return /^postgres(ql)?:\/\//i.test(target) ? openPostgres(target) : openPglite(target);
}
