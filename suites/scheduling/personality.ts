// config-linux.md "Personality": the execution domain, read back from
// /proc/$$/personality and from what `uname -m` reports inside the container.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { machine } from 'node:os';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import { probeAsCaller } from '../support/caller.js';
import { output, SINCE, skipIfUnknownField } from './common.js';

const PER_LINUX = 0x0000;
const PER_LINUX32 = 0x0008;

const CMDS = { persona: 'cat /proc/$$/personality', machine: 'uname -m' };

/** The rootfs's static busybox, whose `linux32` applet runs a command in the LINUX32 domain. */
const busyboxOf = (t: CaseContext) => join(t.bundle.dir, t.bundle.config.root?.path ?? 'rootfs', 'bin/busybox');

/** What `uname -m` says on this host in the LINUX32 domain (control run with busybox linux32). */
function machine32(t: CaseContext): string {
  return execFileSync(busyboxOf(t), ['linux32', busyboxOf(t), 'uname', '-m'], { encoding: 'utf8' }).trim();
}

/** /proc/PID/personality as a number, or undefined where the kernel has no such file (a sandboxed one, like gVisor's). */
function personaOf(facts: ProbeFacts): number | undefined {
  const c = facts.cmds.persona;
  const text = c?.output.trim() ?? '';
  return c?.rc === 0 && /^[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : undefined;
}

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** Checks the domain; `telling` says whether `uname -m` differs between the domains on this host. */
function expectDomain(t: CaseContext, facts: ProbeFacts, persona: number, uname: string, telling: boolean): void {
  const got = personaOf(facts);
  if (got !== undefined) t.equal(hex(got), hex(persona), '/proc/$$/personality of the container process');
  else if (!telling)
    t.skip(
      `the container has no readable /proc/PID/personality (${facts.cmds.persona?.output.trim() || 'no output'}) and uname -m is the same in both domains here`,
    );
  else t.note(`the container has no readable /proc/PID/personality (${facts.cmds.persona?.output.trim() || 'no output'}): only uname -m is checked`);
  const m = output(t, facts, 'machine');
  if (m !== undefined) t.equal(m, uname, '`uname -m` inside the container');
}

export default [
  defineCase({
    id: 'scheduling.personality.linux32',
    title: 'domain LINUX32: the process runs in the LINUX32 domain and uname reports a 32-bit machine',
    requirements: ['config-linux:personality.domain'],
    exercises: ['linux.personality'],
    bundle: (b) =>
      b
        .ociVersion(SINCE.personality)
        .probe({ only: ['meta'], cmds: CMDS })
        .set('linux.personality', { domain: 'LINUX32' }),
    async check(t) {
      skipIfUnknownField(t, 'personality');
      const m32 = machine32(t);
      if (m32 === machine()) t.note(`uname -m is ${m32} in both domains on this host: only /proc/$$/personality tells them apart`);
      expectDomain(t, await t.probe(), PER_LINUX32, m32, m32 !== machine());
    },
  }),

  defineCase({
    id: 'scheduling.personality.linux-over-linux32',
    title: 'domain LINUX is applied, not inherited: create and start run in LINUX32, the process runs in LINUX',
    requirements: ['config-linux:personality.domain'],
    exercises: ['linux.personality'],
    bundle: (b) =>
      b
        .ociVersion(SINCE.personality)
        .probe({ only: ['meta'], cmds: CMDS })
        .set('linux.personality', { domain: 'LINUX' }),
    async check(t) {
      skipIfUnknownField(t, 'personality');
      // personality(2) is inherited across fork and execve: without the setting the
      // process would be in the caller's LINUX32 domain.
      expectDomain(t, await probeAsCaller(t, { wrap: [busyboxOf(t), 'linux32'] }), PER_LINUX, machine(), machine32(t) !== machine());
    },
  }),
] as Case[];
