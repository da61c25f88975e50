import { describe, expect, it } from 'vitest';
import { forwardSignals, waitChild } from '../../runtime/commands/forward.js';

describe('signal forwarding of run and exec', () => {
  it('passes caught signals to the container process until stopped', () => {
    const sent: [number, string][] = [];
    const stop = forwardSignals(4242, (pid, sig) => void sent.push([pid, sig]));
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGWINCH', 'SIGWINCH');
    stop();
    process.emit('SIGWINCH', 'SIGWINCH');
    expect(sent).toEqual([
      [4242, 'SIGUSR2'],
      [4242, 'SIGWINCH'],
    ]);
  });

  it('a process already gone is not an error', () => {
    const stop = forwardSignals(1, () => {
      throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
    });
    expect(() => process.emit('SIGUSR2', 'SIGUSR2')).not.toThrow();
    stop();
  });

  it('waits without blocking until the child has a status', async () => {
    let polls = 0;
    const status = await waitChild(() => (++polls < 3 ? undefined : 0x0f00), 1);
    expect(status).toBe(0x0f00);
    expect(polls).toBe(3);
  });
});
