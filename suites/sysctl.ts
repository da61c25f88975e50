// config-linux.md "Sysctl": kernel parameters set for the container. Only sysctls that
// namespaces(7) scopes to a namespace the container has of its own are used (net.* with
// network, kernel.msg*/shm* and fs.mqueue.* with ipc, kernel.domainname with uts), so
// that a runtime doing its job changes nothing on the host; the host's values are read
// while the container runs, and put back should a runtime have changed them.
import { readFileSync, writeFileSync } from 'node:fs';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { expectRefused, refusalOf } from './support/refuse.js';

const procPath = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;
const hostValue = (key: string) => readFileSync(procPath(key), 'utf8').trim();

/** A value for `key` that differs from the host's (so a runtime that ignores it is caught). */
function differentFrom(key: string, preferred: string, fallback: string): string {
  try {
    return hostValue(key) === preferred ? fallback : preferred;
  } catch {
    return preferred; // no such key on this host: the case reports what the runtime did
  }
}

const read = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, `cat ${procPath(k)}`]));

async function hostUntouched(t: CaseContext, before: Record<string, string>, when: string): Promise<void> {
  for (const [key, value] of Object.entries(before)) {
    const now = hostValue(key);
    if (!t.equal(now, value, `the host's ${key} ${when}`)) {
      writeFileSync(procPath(key), value);
      t.note(`conform restored the host's ${key}, which the runtime had changed`);
    }
  }
}

/** Sets the sysctls, runs a holding probe that reads them inside, checks inside and outside. */
function sysctlCase(id: string, title: string, values: () => Record<string, string>, namespaces: string[]) {
  return defineCase({
    id: `sysctl.${id}`,
    title,
    requirements: ['config-linux:sysctl.applied', ...namespaces.map((ns) => `config-linux:namespaces.${ns}`)],
    exercises: ['linux.sysctl'],
    bundle: (b) => {
      const v = values();
      b.probe({ only: ['meta'], cmds: read(Object.keys(v)), hold: true });
      for (const [k, x] of Object.entries(v)) b.sysctl(k, x);
    },
    async check(t) {
      const want = t.bundle.config.linux?.sysctl ?? {};
      const keys = Object.keys(want);
      const missing = keys.filter((k) => {
        try {
          hostValue(k);
          return false;
        } catch {
          return true;
        }
      });
      if (missing.length) return t.skip(`this kernel has no ${missing.join(', ')}`);
      const before = Object.fromEntries(keys.map((k) => [k, hostValue(k)]));
      const facts = await t.probe();
      const inside = Object.fromEntries(
        keys.map((k) => [k, facts.cmds[k]?.rc === 0 ? facts.cmds[k]!.output.trim() : `(unreadable: ${facts.cmds[k]?.output.trim()})`]),
      );
      t.req('config-linux:sysctl.applied').equal(inside, want, 'the values in /proc/sys inside the container');
      // Applied in the container's namespaces, not the host's.
      await hostUntouched(t.all(), before, 'while the container runs');
    },
  });
}

export default [
  sysctlCase(
    'net.ip-default-ttl',
    "net.ipv4.ip_default_ttl applies in the container's network namespace, not the host's",
    () => ({ 'net.ipv4.ip_default_ttl': differentFrom('net.ipv4.ip_default_ttl', '42', '43') }),
    ['network'],
  ),
  sysctlCase(
    'net.somaxconn',
    "net.core.somaxconn applies in the container's network namespace, not the host's",
    () => ({ 'net.core.somaxconn': differentFrom('net.core.somaxconn', '1234', '1235') }),
    ['network'],
  ),
  sysctlCase(
    'ipc.msgmax',
    "kernel.msgmax applies in the container's IPC namespace, not the host's",
    () => ({ 'kernel.msgmax': differentFrom('kernel.msgmax', '16384', '16385') }),
    ['ipc'],
  ),
  sysctlCase(
    'ipc.shmmax',
    "kernel.shmmax applies in the container's IPC namespace, not the host's",
    () => ({ 'kernel.shmmax': differentFrom('kernel.shmmax', '68719476736', '68719476737') }),
    ['ipc'],
  ),
  sysctlCase(
    'ipc.mqueue-msg-max',
    "fs.mqueue.msg_max applies in the container's IPC namespace, not the host's",
    () => ({ 'fs.mqueue.msg_max': differentFrom('fs.mqueue.msg_max', '20', '21') }),
    ['ipc'],
  ),
  sysctlCase(
    'uts.domainname',
    "kernel.domainname applies in the container's UTS namespace, not the host's",
    () => ({ 'kernel.domainname': differentFrom('kernel.domainname', 'sysctl.conform.example', 'sysctl2.conform.example') }),
    ['uts'],
  ),
  sysctlCase(
    'several',
    'sysctls of three namespaces in one config all apply (network, IPC, UTS)',
    () => ({
      'net.ipv4.ip_default_ttl': differentFrom('net.ipv4.ip_default_ttl', '99', '98'),
      'kernel.msgmni': differentFrom('kernel.msgmni', '1000', '1001'),
      'kernel.domainname': differentFrom('kernel.domainname', 'several.conform.example', 'several2.conform.example'),
    }),
    ['network', 'ipc', 'uts'],
  ),

  defineCase({
    id: 'sysctl.unknown-key-error',
    title: 'a sysctl the kernel does not have (net.ipv4.conform_no_such_key) cannot be applied: create fails',
    requirements: ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'config-linux:sysctl.applied'],
    exercises: ['linux.sysctl'],
    bundle: (b) => b.probe({ only: ['meta'] }).sysctl('net.ipv4.conform_no_such_key', '1'),
    async check(t) {
      await expectRefused(refusalOf(t), 'an unknown sysctl key');
    },
  }),

  defineCase({
    id: 'sysctl.bad-value-error',
    title: 'a value the kernel rejects (net.ipv4.ip_default_ttl 0, outside 1..255) cannot be applied: create fails',
    requirements: ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'config-linux:sysctl.applied'],
    exercises: ['linux.sysctl'],
    bundle: (b) => b.probe({ only: ['meta'] }).sysctl('net.ipv4.ip_default_ttl', '0'),
    async check(t) {
      const before = hostValue('net.ipv4.ip_default_ttl');
      await expectRefused(refusalOf(t), 'net.ipv4.ip_default_ttl = 0');
      await hostUntouched(refusalOf(t), { 'net.ipv4.ip_default_ttl': before }, 'after the refused create');
    },
  }),
];
