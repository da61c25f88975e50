// --console-socket: the caller's unix socket, connected here and handed to the init
// as fd 4 (runtime/init/console.ts sends the pty master over it). As in runc, a
// terminal needs the socket and the socket needs a terminal.
import type { Socket } from 'node:net';
import { connectUnix } from '../fd-passing.js';
import { ConfigError, RuntimeError } from '../errors.js';

export function checkConsoleOptions(terminal: boolean, socketPath: string | undefined, field = 'process.terminal'): void {
  if (terminal && socketPath === undefined) {
    const socket = '--console-socket PATH, a unix socket that receives the pseudoterminal master';
    if (field.startsWith('--')) throw new RuntimeError(`${field} needs ${socket}`);
    throw new ConfigError(field, `is true: give ${socket}`);
  }
  if (!terminal && socketPath !== undefined) {
    throw new RuntimeError(`--console-socket is only used with a terminal (${field} is not true)`);
  }
}

export async function connectConsole(path: string): Promise<Socket> {
  try {
    return await connectUnix(path);
  } catch (err) {
    throw new RuntimeError(`--console-socket ${path}: cannot connect: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
