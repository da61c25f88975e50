// config-linux.md "Network Devices": host interfaces that `linux.netDevices` moves into
// the container's network namespace, seen inside with busybox `ip` and on the host with
// iproute2. Each case makes its own veth pair on the host (the end named in the config,
// and a peer that stays behind); deleting the peer removes the pair wherever its other
// end is, so cleanup is certain even when a runtime misbehaves.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { defineCase, type Case } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { cleanupContainers } from '../harness/host/cleanup.js';
import { parseProbe, type ProbeFacts } from '../harness/probe/parse.js';
import { poll } from '../harness/process/wait.js';
import { skipIfNewerThanRuntime } from './support/version.js';
import { expectRefused, NO_SIDE_EFFECTS, refusalOf } from './support/refuse.js';
import type { BundleBuilder } from '../harness/case/bundle.js';

/** "config-linux: add netDevices object (#1271)" came with runtime-spec 1.3.0. */
const SINCE = '1.3.0';
/** Moving devices needs the runtime's support; refusing them needs none (an unsupported value is an error too). */
const NEEDS = ['cap:CAP_NET_ADMIN', 'feature:linux.netDevices.enabled'];
const REFUSAL_NEEDS = ['cap:CAP_NET_ADMIN'];
const IP_PATHS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
const NO_IP = 'needs iproute2 on the host (`ip`, to make and inspect network interfaces): install it with `apt-get install -y iproute2`';

/** iproute2's `ip`, or undefined (busybox's cannot make veth pairs). */
function hostIp(): string | undefined {
  return IP_PATHS.find((p) => existsSync(p) && spawnSync(p, ['-V'], { encoding: 'utf8' }).stdout?.includes('iproute2'));
}

/** One line of `ip -o link`: `3: cfa@if2: <BROADCAST,UP> mtu 1500 …\    link/ether 7e:… brd …`. */
export interface Link {
  name: string;
  flags: string[];
  mac?: string;
}

export function parseLinks(text: string): Link[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>/.exec(line);
    if (!m) return [];
    const mac = /link\/ether\s+([0-9a-f:]{17})/.exec(line)?.[1];
    return [{ name: m[1]!, flags: m[2]!.split(',').filter(Boolean), ...(mac ? { mac } : {}) }];
  });
}

/** One line of `ip -o addr`: `3: cfa    inet 10.213.7.1/24 scope global cfa\ …`. */
export interface Addr {
  dev: string;
  family: 'inet' | 'inet6';
  cidr: string;
  scope: string;
}

export function parseAddrs(text: string): Addr[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+(\S+)\s.*?\bscope\s+(\S+)/.exec(line);
    return m ? [{ dev: m[1]!, family: m[2] as Addr['family'], cidr: m[3]!, scope: m[4]! }] : [];
  });
}

/** A veth pair on the host: `name` is the end the config moves, `peer` stays on the host. */
class HostVeth {
  constructor(
    private readonly ip: string,
    readonly name: string,
    readonly peer: string,
  ) {}

  ipCmd(...args: string[]): void {
    execFileSync(this.ip, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** Whether an interface of that name is in the runtime (host) network namespace. */
  has(name: string): boolean {
    return spawnSync(this.ip, ['-o', 'link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;
  }

  mac(): string {
    return readFileSync(`/sys/class/net/${this.name}/address`, 'utf8').trim();
  }

  /** Removes the pair (through the peer, wherever the other end is); returns notes. */
  remove(): string[] {
    const notes: string[] = [];
    for (const n of [this.peer, this.name]) {
      if (!this.has(n)) continue;
      try {
        this.ipCmd('link', 'del', n);
      } catch (e) {
        notes.push(`cleanup: could not delete host interface ${n}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return notes;
  }
}

/** A fresh host interface name (IFNAMSIZ: at most 15 characters), and its peer's. */
function freshNames(): [string, string] {
  const base = `cf${Math.random().toString(36).slice(2, 8)}`;
  return [`${base}h`, `${base}p`];
}

/** The bundle: the given number of host interfaces, each entry built by `entry`. */
function withDevices(b: BundleBuilder, n: number, entry: (i: number) => { name?: string }): void {
  const devices: Record<string, { name?: string }> = {};
  for (let i = 0; i < n; i++) devices[freshNames()[0]] = entry(i);
  b.ociVersion(SINCE).set('linux.netDevices', devices);
}

const peerOf = (name: string) => `${name.slice(0, -1)}p`;

/**
 * Makes the host ends the case's config names (skipping where the host cannot), runs
 * `body`, then always deletes the case's containers and the pairs.
 */
async function withVeths(t: CaseContext, body: (veths: HostVeth[]) => Promise<void>): Promise<void> {
  skipIfNewerThanRuntime(t, SINCE, 'linux.netDevices');
  const ip = hostIp();
  if (!ip) return t.skip(NO_IP);
  const veths: HostVeth[] = [];
  try {
    for (const name of Object.keys(t.bundle.config.linux?.netDevices ?? {})) {
      const v = new HostVeth(ip, name, peerOf(name));
      try {
        v.ipCmd('link', 'add', v.name, 'type', 'veth', 'peer', 'name', v.peer);
      } catch (e) {
        return t.skip(`cannot make a veth pair on this host: ${(e as Error).message.split('\n').slice(-2).join(' ').trim()}`);
      }
      veths.push(v);
    }
    await body(veths);
  } finally {
    for (const n of await cleanupContainers(t.rt)) t.note(n);
    for (const v of veths) for (const n of v.remove()) t.note(n);
  }
}

const INSIDE = { links: 'ip -o link', addrs: 'ip -o addr' };

/** Create, start, wait for the probe's facts and for the end. */
async function run(t: CaseContext, afterCreate?: () => void): Promise<ProbeFacts> {
  await t.create();
  afterCreate?.();
  await t.start();
  const facts = parseProbe(await t.waitOutput('@@done'));
  await t.waitStatus('stopped');
  return facts;
}

function linksInside(t: CaseContext, facts: ProbeFacts): Link[] {
  const c = facts.cmds.links;
  t.ok(c?.rc === 0, `\`ip -o link\` inside the container failed: ${c?.output.trim() ?? 'no output'}`);
  return parseLinks(c?.output ?? '');
}

/** The host interface is inside under `name`: same MAC, so the very device, not a new one. */
function expectMoved(t: CaseContext, facts: ProbeFacts, v: HostVeth, mac: string, name: string): Link | undefined {
  const links = linksInside(t, facts);
  const link = links.find((l) => l.name === name);
  if (!t.ok(link !== undefined, `an interface named ${name} inside the container (host's ${v.name})`, { expected: name, actual: links.map((l) => l.name) }))
    return undefined;
  t.equal(link!.mac, mac, `MAC address of ${name} inside (the host's ${v.name} had it)`);
  return link;
}

/**
 * A case that moves `count` fresh host interfaces in (each entry from `entry`), with the
 * probe's view of links and addresses inside; `check` gets the host ends.
 */
function movingCase(d: {
  id: string;
  title: string;
  requirements: string[];
  count?: number;
  entry: (i: number) => { name?: string };
  check: (t: CaseContext, veths: HostVeth[]) => Promise<void>;
}): Case {
  return defineCase({
    id: `netdevices.${d.id}`,
    title: d.title,
    requirements: d.requirements,
    exercises: ['linux.netDevices'],
    needs: NEEDS,
    bundle: (b) => {
      b.probe({ only: ['meta'], cmds: INSIDE });
      withDevices(b, d.count ?? 1, d.entry);
    },
    check: (t) => withVeths(t, (veths) => d.check(t, veths)),
  });
}

export default [
  movingCase({
    id: 'rename',
    title: 'a host interface with `name` is moved into the container under that name, and is gone from the host once create returns',
    requirements: ['config-linux:net-devices.available', 'config-linux:net-devices.name', 'features-linux:net-devices.enabled'],
    entry: () => ({ name: 'conform0' }),
    async check(t, [v]) {
      const mac = v!.mac();
      const moved = t.req('config-linux:net-devices.available', 'config-linux:net-devices.name');
      const facts = await run(t, () =>
        t.req('config-linux:net-devices.available').ok(!v!.has(v!.name), `${v!.name} is no longer in the runtime namespace after create`),
      );
      expectMoved(moved, facts, v!, mac, 'conform0');
      t.req('config-linux:net-devices.name').ok(
        !linksInside(moved, facts).some((l) => l.name === v!.name),
        `no interface keeps the host name ${v!.name} inside`,
      );
    },
  }),

  movingCase({
    id: 'keep-name',
    title: 'a host interface without `name` keeps its host name inside the container',
    requirements: ['config-linux:net-devices.available', 'config-linux:net-devices.name'],
    entry: () => ({}),
    async check(t, [v]) {
      const mac = v!.mac();
      expectMoved(t.req('config-linux:net-devices.available', 'config-linux:net-devices.name'), await run(t), v!, mac, v!.name);
    },
  }),

  movingCase({
    id: 'up',
    title: 'a moved interface (down on the host) is up inside the container',
    requirements: ['config-linux:net-devices.up'],
    entry: () => ({ name: 'conform0' }),
    async check(t, [v]) {
      const mac = v!.mac();
      const link = expectMoved(t, await run(t), v!, mac, 'conform0');
      // The administrative flag; carrier is the peer's business (it stays down on the host).
      if (link) t.ok(link.flags.includes('UP'), `conform0 is up inside (flags <${link.flags.join(',')}>)`);
    },
  }),

  movingCase({
    id: 'addresses',
    title: 'the permanent global IPv4 and IPv6 addresses of a moved interface are still on it inside',
    requirements: ['config-linux:net-devices.preserve-addresses'],
    entry: () => ({ name: 'conform0' }),
    async check(t, [v]) {
      // Static addresses are permanent (IFA_F_PERMANENT); nodad keeps the IPv6 one from being tentative.
      const want = [{ family: 'inet', cidr: '10.213.7.1/24' }];
      v!.ipCmd('addr', 'add', '10.213.7.1/24', 'dev', v!.name);
      if (existsSync('/proc/sys/net/ipv6')) {
        v!.ipCmd('-6', 'addr', 'add', 'fd00:c0f::1/64', 'dev', v!.name, 'nodad');
        want.push({ family: 'inet6', cidr: 'fd00:c0f::1/64' });
      } else {
        t.note('the host has no IPv6: only an IPv4 address is checked');
      }
      const facts = await run(t);
      const c = facts.cmds.addrs;
      t.ok(c?.rc === 0, `\`ip -o addr\` inside the container failed: ${c?.output.trim() ?? 'no output'}`);
      const got = parseAddrs(c?.output ?? '').filter((a) => a.dev === 'conform0' && a.scope === 'global');
      for (const w of want) {
        t.ok(
          got.some((a) => a.family === w.family && a.cidr === w.cidr),
          `${w.family} ${w.cidr} (scope global) on conform0 inside`,
          { expected: w.cidr, actual: got.map((a) => a.cidr) },
        );
      }
    },
  }),

  defineCase({
    id: 'netdevices.name-conflict-error',
    title: 'a `name` already taken inside (lo) makes create fail, and the interface stays on the host',
    requirements: ['config-linux:net-devices.name-conflict-error', 'config-linux:net-devices.check-move', 'runtime:errors.no-side-effects'],
    exercises: ['linux.netDevices'],
    needs: REFUSAL_NEEDS,
    bundle: (b) => {
      b.probe({ only: ['meta'] });
      withDevices(b, 1, () => ({ name: 'lo' }));
    },
    async check(t) {
      await withVeths(t, async ([v]) => {
        const r = await expectRefused(refusalOf(t), `a network device to be renamed lo, which every network namespace has`);
        // runtime.md#errors: a failed create leaves the host as it was; a veth moved into a
        // namespace that then died would be gone.
        if (r.by === 'create') t.req(NO_SIDE_EFFECTS).ok(v!.has(v!.name), `${v!.name} is still on the host after the refused create`);
      });
    },
  }),

  defineCase({
    id: 'netdevices.duplicate-name-error',
    title: 'two host interfaces that would take the same name inside make create fail',
    requirements: ['config-linux:net-devices.name-conflict-error', 'config:valid-values.invalid-error'],
    exercises: ['linux.netDevices'],
    needs: REFUSAL_NEEDS,
    invalid: true,
    bundle: (b) => {
      b.probe({ only: ['meta'] });
      withDevices(b, 2, () => ({ name: 'conform0' }));
    },
    async check(t) {
      await withVeths(t, async () => {
        await expectRefused(refusalOf(t), 'two network devices both to be named conform0');
      });
    },
  }),

  movingCase({
    id: 'name-template',
    title: 'two host interfaces both named with the template `cnf%d` are both moved in, under two names the kernel picks',
    requirements: ['config-linux:net-devices.name-template', 'config-linux:net-devices.available'],
    count: 2,
    entry: () => ({ name: 'cnf%d' }),
    async check(t, veths) {
      const macs = veths.map((v) => v.mac());
      const moved = t.req('config-linux:net-devices.name-template', 'config-linux:net-devices.available');
      const links = linksInside(moved, await run(t)).filter((l) => /^cnf\d+$/.test(l.name));
      moved.equal(links.length, 2, `interfaces named cnf<N> inside (${links.map((l) => l.name).join(', ') || 'none'})`);
      for (const [i, mac] of macs.entries())
        moved.ok(
          links.some((l) => l.mac === mac),
          `${veths[i]!.name} (MAC ${mac}) is one of the cnf<N> interfaces inside`,
        );
    },
  }),

  defineCase({
    id: 'netdevices.missing-device-error',
    title: 'a host interface that does not exist makes create fail',
    requirements: ['config-linux:net-devices.check-move', 'runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.netDevices'],
    bundle: (b) =>
      b
        .probe({ only: ['meta'] })
        .ociVersion(SINCE)
        .set('linux.netDevices', { [freshNames()[0]]: { name: 'conform0' } }),
    async check(t) {
      skipIfNewerThanRuntime(t, SINCE, 'linux.netDevices');
      const name = Object.keys(t.bundle.config.linux?.netDevices ?? {})[0]!;
      if (existsSync(`/sys/class/net/${name}`)) return t.skip(`the host has an interface named ${name} after all`);
      await expectRefused(refusalOf(t), `a network device ${name} the host does not have`);
    },
  }),

  defineCase({
    id: 'netdevices.unsupported-error',
    title: 'a runtime whose features says it cannot move network devices refuses netDevices, and the interface stays on the host',
    requirements: ['config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container', 'runtime:errors.no-side-effects'],
    exercises: ['linux.netDevices'],
    needs: REFUSAL_NEEDS,
    bundle: (b) => {
      b.probe({ only: ['meta'] });
      withDevices(b, 1, () => ({ name: 'conform0' }));
    },
    async check(t) {
      if (t.env.runtime.features?.linux?.netDevices?.enabled !== false)
        return t.skip("the runtime's features does not say linux.netDevices.enabled is false: the other netdevices cases apply");
      await withVeths(t, async ([v]) => {
        const r = await expectRefused(refusalOf(t), 'netDevices, which the runtime says it does not support');
        if (r.by === 'create') t.req(NO_SIDE_EFFECTS).ok(v!.has(v!.name), `${v!.name} is still on the host after the refused create`);
      });
    },
  }),

  movingCase({
    id: 'no-move-back',
    title: "delete does not move a moved interface back to the host: it goes with the container's network namespace",
    requirements: ['config-linux:net-devices.no-move-back'],
    entry: () => ({ name: 'conform0' }),
    async check(t, [v]) {
      const mac = v!.mac();
      if (!expectMoved(t, await run(t), v!, mac, 'conform0')) return;
      await t.delete();
      const back = () => [v!.name, 'conform0'].filter((n) => v!.has(n));
      t.equal(back(), [], 'interfaces of the container back in the runtime namespace right after delete');
      // The kernel destroys a veth (and so its peer) when the namespace it is in goes away.
      await poll(() => !v!.has(v!.peer), { timeoutMs: t.rt.rt.timeoutMs, pauseMs: 20, maxPauseMs: 20 });
      if (v!.has(v!.peer))
        t.note(`the veth pair still exists ${t.rt.rt.timeoutMs / 1000}s after delete: its container end is in a network namespace something still holds`);
      t.equal(back(), [], 'interfaces of the container in the runtime namespace once its network namespace is gone');
    },
  }),
] as Case[];
