// Things a run starts once and shares between cases (a containerd daemon, an engine's
// image store), started by the first case that asks and stopped when the run ends,
// whatever way it ends: every case finished, a failure, Ctrl-C. A run killed outright
// leaves them to the next run's sweep (harness/host/stale.ts): they live in the run
// directory, and their processes name it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { outsideChecks } from '../process/halt.js';

export interface Service {
  /** Stops the service and removes what it made outside its directory; returns notes on what it had to force. */
  stop(): Promise<string[]>;
}

export interface ServiceSite {
  /** The service's own directory, inside the run directory. */
  dir: string;
  /** The run's tag (the suffix of its container ids), for names a sweep can match. */
  tag: string;
}

export class Services {
  private readonly started = new Map<string, Promise<Service>>();
  private stopped = false;

  constructor(
    /** The run directory: each service gets `<runDir>/services/<name>`. */
    private readonly runDir: string,
    readonly tag: string,
    /** The cached busybox rootfs, for what is built from it (the OCI image). */
    readonly rootfs: string,
  ) {}

  /** The service `name`, started by `start` the first time it is asked for. A failed start is not retried. */
  get<T extends Service>(name: string, start: (site: ServiceSite) => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(`the run is ending: ${name} is not started any more`));
    let p = this.started.get(name);
    if (!p) {
      const dir = join(this.runDir, 'services', name);
      mkdirSync(dir, { recursive: true });
      // Not refused when the case that asked first is given up: the service is the run's.
      p = outsideChecks(() => start({ dir, tag: this.tag }));
      p.catch(() => {}); // the callers see the error; stopAll must not
      this.started.set(name, p);
    }
    return p as Promise<T>;
  }

  /** Stops every started service, the last started first. */
  async stopAll(): Promise<string[]> {
    this.stopped = true;
    const notes: string[] = [];
    for (const [name, p] of [...this.started].reverse()) {
      let service: Service;
      try {
        service = await p;
      } catch {
        continue; // its start failed and cleaned up after itself
      }
      try {
        notes.push(...(await service.stop()));
      } catch (e) {
        notes.push(`${name}: stopping failed: ${(e as Error).message}`);
      }
    }
    this.started.clear();
    return notes;
  }
}
