// Lines from the socket to nsexec and the init (see runtime/native/nsexec.c).
import type { Readable } from 'node:stream';

/** Reads lines from the init's socket. */
export class LineReader {
  private buf = '';
  private ended = false;
  private waiting?: () => void;

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.buf += chunk;
      this.waiting?.();
    });
    stream.on('end', () => {
      this.ended = true;
      this.waiting?.();
    });
    stream.on('error', () => {
      this.ended = true;
      this.waiting?.();
    });
    stream.on('close', () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  async next(): Promise<string | undefined> {
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        return line;
      }
      if (this.ended) return undefined;
      await new Promise<void>((r) => {
        this.waiting = r;
      });
      this.waiting = undefined;
    }
  }
}
