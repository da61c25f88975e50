// The security cases can fail: against a runtime with the classic unsafe habits
// (fixtures/runtimes/unsafe.mjs: runc behind host-side path resolution, leaked fds, ids
// of -1 taken as root) each case that checks such a habit fails, and the run still
// leaves nothing behind. (The other cases are proven by the reference runtime before its
// fixes, and by reading: see suites/security.ts.)
import { describe, expect, it } from 'vitest';
import { conform, fixture, hasRunc, isRoot } from '../helpers/conform.js';
import { NOTHING_LEFT } from '../helpers/leftovers.js';

const CAUGHT = [
  'security.fds.caller-fds-not-inherited',
  'security.fds.preserve-fds-only-those',
  'security.cwd.symlink-absolute-out',
  'security.cwd.symlink-relative-out',
  'security.mounts.destination-symlink-absolute-out',
  'security.mounts.destination-symlink-relative-out',
  'security.mounts.masked-symlink-out',
  'security.mounts.readonly-symlink-out',
  'security.mounts.destination-race',
  'security.user.uid-out-of-range',
  'security.user.gid-out-of-range',
];

describe.skipIf(!isRoot || !hasRunc)('security cases against unsafe habits (need root and /usr/bin/runc)', () => {
  it(
    'each case that checks an unsafe habit fails against a runtime that has it; nothing is left behind',
    () => {
      const r = conform(['--runtime', fixture('runtimes', 'unsafe.mjs'), '--area', 'security', '--timeout', '20']);
      expect(r.report, r.stderr).toBeDefined();
      const failed = r.report!.results.filter((x) => x.outcome === 'fail').map((x) => x.id);
      expect(
        CAUGHT.filter((id) => !failed.includes(id)),
        'cases that did not catch the habit they check',
      ).toEqual([]);
      expect(r.report!.results.filter((x) => x.outcome === 'error').map((x) => `${x.id}: ${x.message}`)).toEqual([]);
      expect(r.left).toEqual(NOTHING_LEFT);
    },
    10 * 60_000,
  );
});
