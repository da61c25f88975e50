// --console-socket: the caller's unix socket, connected here and handed to the init
// as fd 4 (runtime/init/console.ts sends the pty master over it). As in runc, a
// terminal needs the socket and the socket needs a terminal.
import { createConnection, type Socket } from 'node:net';
import { ConfigError, RuntimeError } from '../errors.js';

export function checkConsoleOptions(terminal: boolean, socketPath: string | undefined, field = 'process.terminal'): void {
  if (terminal && socketPath === undefined) {
    throw new ConfigError(field, 'is true: give --console-socket PATH, a unix socket that receives the pseudoterminal master');
  }
  if (!terminal && socketPath !== undefined) {
    throw new RuntimeError(`--console-socket is only used with a terminal (${field} is not true)`);
  }
}

export function connectConsole(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    sock.once('connect', () => resolve(sock));
    sock.once('error', (err: NodeJS.ErrnoException) => reject(new RuntimeError(`--console-socket ${path}: cannot connect: ${err.code ?? err.message}`)));
  });
}
