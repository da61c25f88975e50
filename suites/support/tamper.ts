// Config edits for the strip self-test's `tamper` (harness/case/case.ts): what makes runc or the
// reference runtime misbehave the way a case must catch, where the setting under test is an
// absence and there is nothing to strip.
/**
 * A config both runc and the reference runtime refuse (an rlimit type Linux does not have):
 * it plays a runtime that refuses what the case needs it to accept.
 */
export const REFUSED: Readonly<Record<string, unknown>> = { 'process.rlimits': [{ type: 'RLIMIT_CONFORM', soft: 1, hard: 1 }] };

/** runc's default capabilities, CAP_CHOWN among them: plays a runtime that leaves the process capabilities it was not given. */
export const SOME_CAPABILITIES: Readonly<Record<string, unknown>> = (() => {
  const caps = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'];
  return { 'process.capabilities': { bounding: caps, permitted: caps, effective: caps } };
})();

/** A node at `path` with the numbers of another device: plays a runtime that supplies the wrong one there. */
export const wrongDevice = (path: string, major: number, minor: number): Record<string, unknown> => ({
  'linux.devices': [{ path, type: 'c', major, minor, fileMode: 0o666, uid: 0, gid: 0 }],
});
