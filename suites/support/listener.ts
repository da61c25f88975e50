// A stand-in seccomp agent: a unix stream socket that records what each connection
// carries (config-linux.md "The Container Process State"). Node cannot receive
// SCM_RIGHTS descriptors, so only the JSON payload and the connection's life are seen.
import { createServer, type Server, type Socket } from 'node:net';
import { poll } from '../../harness/process/wait.js';

export interface AgentConnection {
  data: Buffer;
  /** The runtime closed its end. */
  ended: boolean;
}

export interface Agent {
  readonly connections: AgentConnection[];
  /** Waits (up to timeoutMs) until some connection was closed by the runtime; returns all connections so far. */
  settled(timeoutMs: number): Promise<AgentConnection[]>;
  close(): Promise<void>;
}

export async function listenOnce(path: string): Promise<Agent> {
  const connections: AgentConnection[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((sock) => {
    const c: AgentConnection = { data: Buffer.alloc(0), ended: false };
    connections.push(c);
    sockets.push(sock);
    sock.on('data', (chunk: Buffer) => {
      c.data = Buffer.concat([c.data, chunk]);
    });
    sock.on('end', () => {
      c.ended = true;
      sock.end();
    });
    sock.on('error', () => {
      c.ended = true;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    connections,
    async settled(timeoutMs) {
      await poll(() => connections.some((c) => c.ended), { timeoutMs, pauseMs: 10, maxPauseMs: 10 });
      return [...connections];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
