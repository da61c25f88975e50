import { describe, expect, it } from 'vitest';
import { parseAgentEvents } from '../../harness/process/seccomp-agent.js';

describe('parseAgentEvents', () => {
  it('reads the steps of a session', () => {
    const ev = parseAgentEvents(
      ['listening', 'fd link=anon_inode:seccomp notify at=0', 'extra-fd', 'closed', 'notif nr=83 pid=4242', 'answered', 'connection 2', 'hangup', ''].join(
        '\n',
      ),
    );
    expect(ev).toEqual({
      listening: true,
      fdLink: 'anon_inode:seccomp notify',
      fdAt: 0,
      extraFds: 1,
      closed: true,
      connections: 2,
      notifications: [{ nr: 83, pid: 4242 }],
      answered: 1,
      hangup: true,
    });
  });

  it('knows a connection without an fd, and errors', () => {
    expect(parseAgentEvents('listening\nclosed\n')).toMatchObject({ connections: 1, closed: true });
    expect(parseAgentEvents('listening\nclosed\n').fdLink).toBeUndefined();
    expect(parseAgentEvents('listening\nerror recvmsg: Bad file descriptor\n').error).toBe('recvmsg: Bad file descriptor');
    expect(parseAgentEvents('')).toMatchObject({ listening: false, connections: 0 });
  });
});
