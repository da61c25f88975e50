// Properties this runtime does not implement. runtime.md (create): "If the runtime
// cannot apply a property as specified in the configuration, it MUST generate an
// error and a new container MUST NOT be created." So they are refused here, before
// anything is made, each with one line naming the field; `features` does not list
// them (runtime/commands/features.ts).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Config, Process } from './validate.js';

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** The process fields of `create` and `exec` alike; `where` prefixes the field (`process`). */
export function refuseUnsupportedProcess(p: Process | undefined, where = 'process'): void {
  if (!p) return;
  if (present(p.apparmorProfile)) {
    const host = appArmorOnHost() ? 'although this host enables AppArmor' : 'nor does this host enable AppArmor';
    throw new ConfigError(`${where}.apparmorProfile`, `cannot be applied: this runtime has no AppArmor support (${host})`);
  }
  if (present(p.selinuxLabel)) throw new ConfigError(`${where}.selinuxLabel`, 'cannot be applied: this runtime has no SELinux support');
}

export function refuseUnsupported(config: Config): void {
  refuseUnsupportedProcess(config.process);
  const linux = config.linux;
  if (linux) {
    if (present(linux.mountLabel)) throw new ConfigError('linux.mountLabel', 'cannot be applied: this runtime has no SELinux support');
    if (present(linux.intelRdt)) throw new ConfigError('linux.intelRdt', 'cannot be applied: this runtime has no Intel RDT (resctrl) support');
  }
  // vm applies to any platform: a container in a virtual machine, which this runtime does not make.
  if (present(config.vm)) throw new ConfigError('vm', 'cannot be applied: this runtime does not run containers in virtual machines');
}

function appArmorOnHost(): boolean {
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
}
