// config.md "Hostname" and "Domainname": the UTS names processes inside see, set in
// the container's own UTS namespace, while the host's names stay as they were.
import { readFileSync, writeFileSync } from 'node:fs';
import { defineCase } from '../harness/case/case.js';
import { callFailure, type CaseContext } from '../harness/case/context.js';
import { namespacesOf } from '../harness/host/hostfacts.js';
import { parseProbe } from '../harness/probe/parse.js';
import { skipIfNewerThanRuntime } from './support/version.js';
import { noHostViewOf } from './support/host.js';
import { attempt, expectRefused, refusalOf } from './support/refuse.js';

/** The uts entry in the default namespaces (pid, network, ipc, uts, mount). */
const UTS_NS = 'linux.namespaces[3]';

const HOST_HOSTNAME = '/proc/sys/kernel/hostname';
const HOST_DOMAINNAME = '/proc/sys/kernel/domainname';

const hostNames = () => ({ hostname: readFileSync(HOST_HOSTNAME, 'utf8').trim(), domainname: readFileSync(HOST_DOMAINNAME, 'utf8').trim() });

/**
 * Reads the host's names while the container runs and after it stopped, and puts them
 * back if a runtime changed them: other work shares this host.
 */
async function hostUntouched(t: CaseContext, before: { hostname: string; domainname: string }, when: string): Promise<void> {
  const now = hostNames();
  if (!t.equal(now, before, `the host's hostname and domainname ${when}`)) {
    if (now.hostname !== before.hostname) writeFileSync(HOST_HOSTNAME, before.hostname);
    if (now.domainname !== before.domainname) writeFileSync(HOST_DOMAINNAME, before.domainname);
    t.note("conform restored the host's hostname/domainname, which the runtime had changed");
  }
}

/** The runtime-spec release that added `domainname`. */
const DOMAINNAME_SINCE = '1.1.0';

/** 64 bytes: HOST_NAME_MAX, the longest name sethostname(2) takes. */
const LONGEST = `conform-${'x'.repeat(64 - 'conform-'.length)}`;

export default [
  defineCase({
    id: 'uts.hostname',
    title: 'processes inside see hostname as the UTS hostname; the host keeps its own',
    requirements: ['config:hostname.applied', 'config-linux:namespaces.uts'],
    exercises: ['hostname'],
    bundle: (b) => b.probe({ only: ['uts'], hold: true }).hostname('conform-uts-host'),
    async check(t) {
      const before = hostNames();
      const facts = await t.probe();
      t.req('config:hostname.applied').equal(facts.hostname, 'conform-uts-host', 'uname -n inside');
      // Set in the container's UTS namespace, not the host's.
      await hostUntouched(t.all(), before, 'while the container runs');
    },
  }),

  defineCase({
    id: 'uts.domainname',
    title: 'processes inside see domainname as the UTS domain name; the host keeps its own',
    requirements: ['config:domainname.applied', 'config-linux:namespaces.uts'],
    exercises: ['domainname'],
    bundle: (b) =>
      b
        .probe({ only: ['uts'], hold: true })
        .domainname('conform.example')
        .ociVersion(DOMAINNAME_SINCE),
    async check(t) {
      skipIfNewerThanRuntime(t, DOMAINNAME_SINCE, 'domainname');
      const before = hostNames();
      const facts = await t.probe();
      // busybox has no reader of the UTS domain name but this file (dnsdomainname asks DNS).
      if (facts.domainname?.includes("can't open")) return t.skip(`the probe cannot read the domain name inside: ${facts.domainname}`);
      t.req('config:domainname.applied').equal(facts.domainname, 'conform.example', '/proc/sys/kernel/domainname inside');
      await hostUntouched(t.all(), before, 'while the container runs');
    },
  }),

  defineCase({
    id: 'uts.own-namespace',
    title: "the hostname is set in a UTS namespace of the container's own: the host's stays as it was, during and after",
    requirements: ['config:hostname.applied', 'config-linux:namespaces.uts', 'config-linux:namespaces.new'],
    exercises: [UTS_NS],
    bundle: (b) => b.probe({ only: ['uts', 'ns'], hold: true }).hostname('conform-own-ns'),
    async check(t) {
      const before = hostNames();
      const created = await t.rt.create(t.id, t.bundle.dir);
      if (!created.ok) {
        await hostUntouched(t.all(), before, 'after create failed');
        t.abort(callFailure('create', created));
      }
      await t.state();
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@ready'));
      t.req('config:hostname.applied').equal(facts.hostname, 'conform-own-ns', 'uname -n inside');
      const { pid } = await t.state();
      const uts = pid ? namespacesOf(pid).uts : undefined;
      const noHostView = noHostViewOf(t, pid ?? -1, { running: true });
      if (noHostView) t.note(`the container's UTS namespace is not compared with the host's: ${noHostView}`);
      else
        t.req('config-linux:namespaces.new').ok(
          uts !== undefined && uts !== t.env.host.hostNs.uts,
          "the container process is in a UTS namespace other than the host's",
          { expected: `not ${t.env.host.hostNs.uts}`, actual: uts },
        );
      await hostUntouched(t.all(), before, 'while the container runs');
      await t.kill('SIGKILL');
      await t.waitStatus('stopped');
      await hostUntouched(t.all(), before, 'after the container stopped');
    },
  }),

  defineCase({
    id: 'uts.hostname-longest',
    title: 'a 64-byte hostname (HOST_NAME_MAX) is applied whole',
    requirements: ['config:hostname.applied'],
    exercises: ['hostname'],
    bundle: (b) => b.probe({ only: ['uts'] }).hostname(LONGEST),
    async check(t) {
      t.equal((await t.probe()).hostname, LONGEST, 'uname -n inside');
    },
  }),

  defineCase({
    id: 'uts.hostname-too-long-error',
    title: 'a 65-byte hostname cannot be applied (sethostname(2) EINVAL): create fails, no container is left',
    requirements: ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'config:hostname.applied'],
    exercises: ['hostname'],
    bundle: (b) => b.probe({ only: ['uts'] }).hostname(`${LONGEST}y`),
    async check(t) {
      const before = hostNames();
      await expectRefused(refusalOf(t), 'a 65-byte hostname');
      await hostUntouched(refusalOf(t), before, 'after the refused create');
    },
  }),

  defineCase({
    id: 'uts.hostname-without-uts-namespace',
    title: "hostname without a UTS namespace: what the runtime does is recorded; the container stays in the host's UTS namespace",
    requirements: ['config:hostname.applied', 'config-linux:namespaces.inherit'],
    // A runtime that makes a UTS namespace anyway (pid, network, ipc, mount are the four others).
    tamper: { 'linux.namespaces[4]': { type: 'uts' } },
    // config.md: without a uts namespace "the container UTS namespace may be the runtime UTS
    // namespace". The hostname given is the host's own, so even a runtime that sets it there
    // changes nothing on this shared host.
    bundle: (b) =>
      b
        .probe({ only: ['uts'], hold: true })
        .withoutNamespace('uts')
        .hostname(hostNames().hostname),
    async check(t) {
      const before = hostNames();
      const a = await attempt(t.req('config:hostname.applied'), "a hostname without a UTS namespace of the container's own");
      if (a.by) {
        await hostUntouched(t.all(), before, 'after create');
        return t.note('the spec neither asks for an error here nor forbids one');
      }
      t.note("the runtime accepted a hostname without a UTS namespace of the container's own");
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@ready'));
      t.req('config:hostname.applied').equal(facts.hostname, before.hostname, 'uname -n inside');
      // The host's view of the container's pid: inside, some kernels (gVisor's) have no /proc/self/ns.
      const { pid } = await t.state();
      const noHostView = noHostViewOf(t, pid ?? -1, { running: true });
      if (!noHostView)
        t.req('config-linux:namespaces.inherit').equal(
          pid ? namespacesOf(pid).uts : undefined,
          t.env.host.hostNs.uts,
          "the UTS namespace of the container's pid (it asked for none: the runtime's is shared)",
        );
      await hostUntouched(t.all(), before, 'while the container runs');
      // The hostname inside is the host's by construction: it shows nothing about sharing.
      if (noHostView && !t.failures.length) t.skip(`whether the container shares the runtime's UTS namespace cannot be seen: ${noHostView}`);
    },
  }),
];
