/**
 * A short-lived connection for request/answer use (`zbms send`, the identity check after
 * `zbms flash`): open the port, let several listeners see every line, write, close.
 */
import { BoardLink } from "./boardLink";
import type { LineChannel } from "./replCommand";

export interface OpenLineChannel extends LineChannel {
  close(): Promise<void>;
}

export async function openLineChannel(path: string, baudRate?: number): Promise<OpenLineChannel> {
  const listeners = new Set<(line: string) => void>();
  const link = new BoardLink(
    path,
    { onLine: (line) => listeners.forEach((l) => l(line)) },
    { reconnect: false, baudRate },
  );
  await link.open();
  return {
    write: (text) => link.write(text),
    subscribe(onLine) {
      listeners.add(onLine);
      return () => listeners.delete(onLine);
    },
    close: () => link.close(),
  };
}
