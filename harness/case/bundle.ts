// The bundle builder: a typed config.json with the defaults a runtime expects
// (the ground `runc spec` covers, but non-terminal and with our probe as the
// process), plus the files a case puts in the rootfs or next to the bundle.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type {
  Capabilities,
  Config,
  Hook,
  HookName,
  IDMapping,
  LinuxDevice,
  LinuxNamespace,
  LinuxResources,
  Mount,
  NamespaceType,
  Seccomp,
  User,
} from '../../schemas/config.js';
import { DEFAULT_CAPS, DEFAULT_MASKED_PATHS, DEFAULT_PATH, DEFAULT_READONLY_PATHS, defaultMounts } from '../../schemas/defaults.js';
import { deletePath, setPath } from './jsonpath.js';

export { DEFAULT_CAPS, DEFAULT_PATH } from '../../schemas/defaults.js';
export const DEFAULT_NAMESPACES: NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount'];

export interface ProbeOptions {
  /** Only these sections (see harness/probe/probe.sh); all when absent. */
  only?: string[];
  /** Named shell snippets whose output and exit status the probe records. */
  cmds?: Record<string, string>;
  /** After the facts, print @@ready and wait for a signal. */
  hold?: boolean;
  /** Extra arguments after `--`, which the probe ignores (for args cases). */
  extra?: string[];
}

export function probeArgs(o: ProbeOptions = {}): string[] {
  const args = ['/bin/sh', '/conform/probe'];
  if (o.only) args.push('--only', o.only.join(','));
  for (const [name, code] of Object.entries(o.cmds ?? {})) args.push('--cmd', name, code);
  if (o.hold) args.push('--hold');
  if (o.extra) args.push('--', ...o.extra);
  return args;
}

/** The spec release every generated bundle says it complies with, unless a case needs a newer one. */
export const BASE_OCI_VERSION = '1.0.2';

export function defaultConfig(): Config {
  return {
    ociVersion: BASE_OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: probeArgs(),
      env: [DEFAULT_PATH, 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'conform',
    mounts: defaultMounts(),
    linux: {
      namespaces: DEFAULT_NAMESPACES.map((type) => ({ type })),
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}

interface FileOp {
  path: string;
  content: string | null; // null: a directory
  mode: number;
}

export class BundleBuilder {
  config: Config = defaultConfig();
  /** Leave the rootfs out (for cases about a missing root.path). */
  skipRootfs = false;
  /**
   * A rootfs that is a plain copy rather than an overlay mount: for cases that build
   * host mounts around the rootfs, or make it visible in a mount namespace created
   * before the bundle.
   */
  plainRootfs = false;
  /** Files written into the rootfs (paths as seen inside the container). */
  readonly rootfsFiles: FileOp[] = [];
  private readonly hostFiles: FileOp[] = [];

  /**
   * @param dir the bundle directory (config.json and rootfs/ go there)
   * @param filesDir a per-case directory on the host for hook scripts, bind sources and outputs
   */
  constructor(
    readonly dir: string,
    readonly filesDir: string,
  ) {}

  private get process() {
    return (this.config.process ??= { cwd: '/', args: probeArgs(), user: { uid: 0, gid: 0 } });
  }
  private get linux() {
    return (this.config.linux ??= {});
  }

  // --- process ---
  args(...args: string[]): this {
    this.process.args = args;
    return this;
  }
  probe(o: ProbeOptions = {}): this {
    return this.args(...probeArgs(o));
  }
  env(env: string[]): this {
    this.process.env = env;
    return this;
  }
  setEnv(name: string, value: string): this {
    const env = (this.process.env ?? []).filter((e) => !e.startsWith(`${name}=`));
    this.process.env = [...env, `${name}=${value}`];
    return this;
  }
  cwd(path: string): this {
    this.process.cwd = path;
    return this;
  }
  user(user: Partial<User>): this {
    this.process.user = { ...this.process.user, ...user } as User;
    return this;
  }
  /** bigint for values beyond 2^53 (RLIM_INFINITY), which JSON must carry as exact digits. */
  rlimit(type: string, soft: number | bigint, hard: number | bigint): this {
    const rest = (this.process.rlimits ?? []).filter((r) => r.type !== type);
    // The schema's type says number; stringifyConfig writes bigints as exact JSON integers.
    this.process.rlimits = [...rest, { type, soft: soft as unknown as number, hard: hard as unknown as number }];
    return this;
  }
  capabilities(caps: Capabilities): this {
    this.process.capabilities = caps;
    return this;
  }
  noNewPrivileges(on: boolean): this {
    this.process.noNewPrivileges = on;
    return this;
  }
  oomScoreAdj(n: number): this {
    this.process.oomScoreAdj = n;
    return this;
  }

  // --- root, hostname ---
  readonlyRoot(on = true): this {
    this.config.root = { path: this.config.root?.path ?? 'rootfs', readonly: on };
    return this;
  }
  hostname(name: string | undefined): this {
    if (name === undefined) delete this.config.hostname;
    else this.config.hostname = name;
    return this;
  }
  domainname(name: string): this {
    this.config.domainname = name;
    return this;
  }

  // --- mounts ---
  mount(m: Mount): this {
    (this.config.mounts ??= []).push(m);
    return this;
  }
  removeMount(destination: string): this {
    this.config.mounts = (this.config.mounts ?? []).filter((m) => m.destination !== destination);
    return this;
  }

  // --- linux ---
  namespace(type: NamespaceType, path?: string): this {
    const rest = (this.linux.namespaces ?? []).filter((n) => n.type !== type);
    const ns: LinuxNamespace = path === undefined ? { type } : { type, path };
    this.linux.namespaces = [...rest, ns];
    return this;
  }
  withoutNamespace(type: NamespaceType): this {
    this.linux.namespaces = (this.linux.namespaces ?? []).filter((n) => n.type !== type);
    return this;
  }
  idMappings(uid: IDMapping[], gid: IDMapping[]): this {
    this.linux.uidMappings = uid;
    this.linux.gidMappings = gid;
    return this;
  }
  device(d: LinuxDevice): this {
    (this.linux.devices ??= []).push(d);
    return this;
  }
  sysctl(key: string, value: string): this {
    this.linux.sysctl = { ...this.linux.sysctl, [key]: value };
    return this;
  }
  seccomp(s: Seccomp): this {
    this.linux.seccomp = s;
    return this;
  }
  resources(r: LinuxResources): this {
    this.linux.resources = { ...this.linux.resources, ...r };
    return this;
  }
  cgroupsPath(path: string): this {
    this.linux.cgroupsPath = path;
    return this;
  }
  maskedPaths(paths: string[]): this {
    this.linux.maskedPaths = paths;
    return this;
  }
  readonlyPaths(paths: string[]): this {
    this.linux.readonlyPaths = paths;
    return this;
  }
  rootfsPropagation(p: NonNullable<Config['linux']>['rootfsPropagation']): this {
    this.linux.rootfsPropagation = p;
    return this;
  }

  // --- hooks, annotations, anything else ---
  hook(name: HookName, hook: Hook): this {
    const hooks = (this.config.hooks ??= {});
    (hooks[name] ??= []).push(hook);
    return this;
  }
  annotation(key: string, value: string): this {
    this.config.annotations = { ...this.config.annotations, [key]: value };
    return this;
  }
  ociVersion(v: string): this {
    this.config.ociVersion = v;
    return this;
  }
  /** Sets any field by path, e.g. `set('linux.personality', { domain: 'LINUX32' })`. */
  set(path: string, value: unknown): this {
    setPath(this.config, path, value);
    return this;
  }
  unset(path: string): this {
    deletePath(this.config, path);
    return this;
  }
  edit(fn: (c: Config) => void): this {
    fn(this.config);
    return this;
  }

  // --- files ---
  /** A file in the rootfs, at `path` as seen inside the container. */
  file(path: string, content: string, mode = 0o644): this {
    this.rootfsFiles.push({ path, content, mode });
    return this;
  }
  mkdir(path: string, mode = 0o755): this {
    this.rootfsFiles.push({ path, content: null, mode });
    return this;
  }
  /** A file on the host in the case's files directory; returns its absolute path. */
  hostFile(name: string, content: string, mode = 0o644): string {
    this.hostFiles.push({ path: name, content, mode });
    return join(this.filesDir, name);
  }
  hostDir(name: string, mode = 0o755): string {
    this.hostFiles.push({ path: name, content: null, mode });
    return join(this.filesDir, name);
  }
  /** An executable /bin/sh script on the host (e.g. a hook); returns its absolute path. */
  hostScript(name: string, body: string): string {
    return this.hostFile(name, `#!/bin/sh\n${body}\n`, 0o755);
  }
  /** A path in the case's files directory, for outputs that do not exist yet. */
  hostPath(name: string): string {
    return join(this.filesDir, name);
  }

  /** Writes config.json and the files; the rootfs itself is copied in by the caller first. */
  writeFiles(): void {
    // resolve, not join: root.path may be absolute (config.md allows both).
    const rootfs = resolve(this.dir, this.config.root?.path ?? 'rootfs');
    writeOps(rootfs, this.rootfsFiles);
    writeOps(this.filesDir, this.hostFiles);
    writeFileSync(join(this.dir, 'config.json'), stringifyConfig(this.config));
  }
}

function writeOps(base: string, ops: readonly FileOp[]): void {
  for (const op of ops) {
    const path = join(base, op.path);
    if (op.content === null) {
      mkdirSync(path, { recursive: true });
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, op.content);
    }
    chmodSync(path, op.mode);
  }
}

/** JSON with bigints written as exact integers (JSON.stringify cannot). */
export function stringifyConfig(config: unknown): string {
  const tag = '@@conform-bigint:';
  const text = JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? `${tag}${v}` : v), 2);
  return `${text.replace(new RegExp(`"${tag}(-?\\d+)"`, 'g'), '$1')}\n`;
}
