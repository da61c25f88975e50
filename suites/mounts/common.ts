// Shared pieces of the mounts suite: where a case's own mount sits in `mounts`,
// host-side mount trees used as bind sources, and mountinfo expectations.
import { defaultConfig, type BundleBuilder } from '../../harness/case/bundle.js';
import type { CaseContext } from '../../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';
import { mountAt, type MountEntry } from '../../harness/probe/mountinfo.js';
import { run } from '../../harness/process/spawn.js';
import { errnosIn } from '../../linux/errno.js';
import type { Mount } from '../../schemas/config.js';

/**
 * Index of a case's first own mount: right after the default bundle's mounts.
 * `exercises` is static data, so it is computed here from the builder's defaults,
 * and own() checks at bundle time that the mount really lands there.
 */
export const OWN = defaultConfig().mounts?.length ?? 0;

/** Where most cases mount: a directory the rootfs does not have (own() creates it). */
export const DEST = '/conform/m';

/** `mounts[OWN + k].options[i]`: the config path of one option of an own mount. */
export const optionPath = (option: number, k = 0) => `mounts[${OWN + k}].options[${option}]`;
export const mountPath = (k = 0) => `mounts[${OWN + k}]`;

/**
 * Needs for the table options a case uses: an option the runtime's features do not
 * list is skipped, not failed (features.md: the list is what the runtime recognises).
 */
export const listed = (...options: string[]) => options.map((o) => `feature:mountOptions=${o}`);

/**
 * Appends the case's mount k (0 = the first own one) and, unless told otherwise,
 * creates its destination directory in the rootfs, so that only the cases about
 * destination creation depend on the runtime creating it.
 */
export function own(b: BundleBuilder, m: Mount, o: { k?: number; mkdir?: boolean } = {}): BundleBuilder {
  const at = b.config.mounts?.length ?? 0;
  if (at !== OWN + (o.k ?? 0)) throw new Error(`mounts suite: expected the case's mount at index ${OWN + (o.k ?? 0)}, it would be ${at}`);
  b.mount(m);
  if (o.mkdir !== false) b.mkdir(m.destination);
  return b;
}

/** A tmpfs at `destination` with these options (no filesystem data unless given). */
export const tmpfs = (destination: string, options: string[]): Mount => ({ destination, type: 'tmpfs', source: 'conform', options });

/** A bind mount (type "none", the spec's example dummy). */
export const bind = (destination: string, source: string, options: string[]): Mount => ({ destination, type: 'none', source, options });

/**
 * For cases that call create themselves (t.rt.create) and saw it succeed: state,
 * start, and the probe's facts once the container has stopped.
 */
export async function probeCreated(t: CaseContext, id = t.id): Promise<ProbeFacts> {
  await t.state(id);
  await t.start(id);
  const out = await t.waitOutput('@@done', { id });
  await t.waitStatus('stopped', { id });
  return parseProbe(out);
}

/** The mount visible at `path`, or a failure that ends the case. */
export function visibleMount(t: CaseContext, facts: ProbeFacts, path: string): MountEntry {
  if (!facts.mounts) t.fail('the probe printed no /proc/self/mountinfo');
  const m = mountAt(facts.mounts!, path);
  if (!m) t.fail(`no mount at ${path} in the container's /proc/self/mountinfo`, { expected: path, actual: facts.mounts!.map((e) => e.mountPoint) });
  return m!;
}

export interface FlagExpectation {
  /** Per-mount options (`options`) or per-superblock ones (`superOptions`). */
  field?: 'options' | 'superOptions';
  has?: string[];
  lacks?: string[];
}

/** Records a failure for every flag of `e` that is not as expected. */
export function expectFlags(t: CaseContext, e: MountEntry, what: string, x: FlagExpectation): void {
  const field = x.field ?? 'options';
  const got = e[field];
  const label = field === 'options' ? 'mount options' : 'superblock options';
  for (const f of x.has ?? []) t.ok(got.includes(f), `${what}: ${label} lack "${f}"`, { expected: f, actual: got.join(',') });
  for (const f of x.lacks ?? []) t.ok(!got.includes(f), `${what}: ${label} have "${f}"`, { expected: `no ${f}`, actual: got.join(',') });
}

/** Bytes a tmpfs `size=` value names (`1024k`, `1m`, `1048576`), or undefined when it is no absolute size. */
export function tmpfsSizeBytes(value: string): number | undefined {
  const m = /^(\d+)([kmgt]?)$/i.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
}

/**
 * The superblock's size is `bytes`, however the filesystem spells it (Linux's tmpfs
 * prints `size=1024k`, gVisor's `size=1m`).
 */
export function expectTmpfsSize(t: CaseContext, e: MountEntry, what: string, bytes: number): void {
  const sizes = e.superOptions.filter((o) => o.startsWith('size=')).map((o) => o.slice(5));
  t.ok(sizes.length === 1 && tmpfsSizeBytes(sizes[0]!) === bytes, `${what}: the superblock's size is ${bytes} bytes`, {
    expected: `size=${bytes / 1024}k`,
    actual: e.superOptions.join(','),
  });
}

/** The errno a probe command failed with, or a failure when it succeeded or failed otherwise. */
export function expectErrno(t: CaseContext, facts: ProbeFacts, cmd: string, errno: string, what: string): void {
  const r = facts.cmds[cmd];
  if (!r) return void t.ok(false, `${what}: the probe did not run "${cmd}"`);
  if (!t.ok(r.rc !== 0, `${what}: expected ${errno}, but it succeeded`, { expected: errno, actual: r.output })) return;
  t.equal(errnosIn(r.output), [errno], `${what}: the error`);
}

/** A probe command that must succeed, with its output (trimmed) when `output` is given. */
export function expectCmd(t: CaseContext, facts: ProbeFacts, cmd: string, what: string, output?: string): void {
  const r = facts.cmds[cmd];
  if (!r) return void t.ok(false, `${what}: the probe did not run "${cmd}"`);
  if (!t.ok(r.rc === 0, `${what}: failed (exit ${r.rc}): ${r.output.trim()}`, { expected: 'exit 0', actual: r.output.trim() })) return;
  if (output !== undefined) t.equal(r.output.trim(), output, what);
}

// --- host-side mounts ---------------------------------------------------------

async function host(script: string): Promise<void> {
  const r = await run(['/bin/sh', '-ec', script], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`host setup failed (${r.code ?? r.signal}): ${r.stderr.trim() || r.stdout.trim()}\n${script}`);
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TreeOptions {
  /** Per-mount flags both host mounts get after they are filled (e.g. "ro,nodev"). */
  opts?: string;
  /** Make both host mounts shared (mount --make-rshared), for propagation cases. */
  shared?: boolean;
}

/**
 * Turns the (empty) host directory `dir` into a tree of two tmpfs mounts, dir and
 * dir/sub, each holding `marker` (its own name), an executable script `run` that
 * prints "ran", `null` (the c 1:3 device node) and `link` (a symlink to marker). The bind and rbind cases use it as
 * their source. Returns the function that detaches it again (the harness would
 * too, with a note, if a case ended before).
 */
export async function hostTree(dir: string, o: TreeOptions = {}): Promise<() => Promise<void>> {
  const fill = (d: string, name: string) =>
    `echo ${name} > ${q(`${d}/marker`)}; printf '#!/bin/sh\\necho ran\\n' > ${q(`${d}/run`)}; chmod 755 ${q(`${d}/run`)}; mknod ${q(`${d}/null`)} c 1 3; chmod 666 ${q(`${d}/null`)}; ln -s marker ${q(`${d}/link`)}`;
  const sub = `${dir}/sub`;
  const lines = [
    `mount -t tmpfs -o size=1m conform-top ${q(dir)}`,
    fill(dir, 'top'),
    `mkdir ${q(sub)}`,
    `mount -t tmpfs -o size=1m conform-sub ${q(sub)}`,
    fill(sub, 'sub'),
  ];
  // A bind remount changes the per-mount flags only (a plain remount of "ro" would
  // make the superblock read-only, which no per-mount option can undo).
  if (o.opts) lines.push(`mount -o remount,bind,${o.opts} ${q(dir)}`, `mount -o remount,bind,${o.opts} ${q(sub)}`);
  if (o.shared) lines.push(`mount --make-rshared ${q(dir)}`);
  try {
    await host(lines.join('\n'));
  } catch (e) {
    await host(`umount -l ${q(dir)} 2>/dev/null || true`);
    throw e;
  }
  return () => host(`umount -l ${q(dir)}`);
}

/** Runs body with the host tree in place, and detaches it afterwards whatever happens. */
export async function withTree(dir: string, o: TreeOptions, body: () => Promise<void>): Promise<void> {
  const release = await hostTree(dir, o);
  try {
    await body();
  } finally {
    await release();
  }
}
