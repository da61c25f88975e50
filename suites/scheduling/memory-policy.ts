// config-linux.md "Memory policy": the NUMA policy of the container process, read
// back from /proc/$$/numa_maps (the policy of each mapping; mappings without one of
// their own show the task's, as set_mempolicy(2) left it).
import { existsSync, readFileSync } from 'node:fs';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { MemoryPolicyFlag, MemoryPolicyMode } from '../../schemas/config-linux.js';
import { expectRefused, refusalOf } from '../support/refuse.js';
import { output, SINCE, skipIfUnknownField } from './common.js';

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseNodeList(text: string): number[] {
  return text
    .trim()
    .split(',')
    .filter(Boolean)
    .flatMap((part) => {
      const [a, b] = part.split('-').map(Number) as [number, number | undefined];
      return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
}

/** The nodes with memory this host has online (sysfs), or undefined without NUMA support. */
function onlineNodes(): number[] | undefined {
  const f = '/sys/devices/system/node/has_memory';
  return existsSync(f) ? parseNodeList(readFileSync(f, 'utf8')) : undefined;
}

/** Why this host cannot show a memory policy, or undefined. */
function noNuma(): string | undefined {
  if (!existsSync('/proc/self/numa_maps')) return 'the kernel has no /proc/PID/numa_maps (built without CONFIG_NUMA)';
  if (!onlineNodes()?.length) return 'the host lists no NUMA node with memory in /sys/devices/system/node/has_memory';
  return undefined;
}

/** The policy numa_maps prints for the first mapping (mpol_to_str): `bind:0`, `prefer (many):0`, `local`… */
export function policyOf(numaMaps: string): string | undefined {
  const first = numaMaps.split('\n').find((l) => /^[0-9a-f]+ /.test(l));
  return first?.slice(first.indexOf(' ') + 1);
}

/** mpol_to_str's names for the modes, and for the flags after `=`. */
const MODE_TEXT: Record<MemoryPolicyMode, string> = {
  MPOL_DEFAULT: 'default',
  MPOL_BIND: 'bind',
  MPOL_INTERLEAVE: 'interleave',
  MPOL_WEIGHTED_INTERLEAVE: 'weighted interleave',
  MPOL_PREFERRED: 'prefer',
  MPOL_PREFERRED_MANY: 'prefer (many)',
  MPOL_LOCAL: 'local',
};
const FLAG_TEXT: Record<MemoryPolicyFlag, string> = {
  MPOL_F_STATIC_NODES: 'static',
  MPOL_F_RELATIVE_NODES: 'relative',
  MPOL_F_NUMA_BALANCING: 'balancing',
};

interface PolicyDef {
  id: string;
  mode: MemoryPolicyMode;
  flag?: MemoryPolicyFlag;
  /** The kernel release that brought the mode or flag. */
  kernel?: string;
}

function policyCase(d: PolicyDef): Case {
  const withNodes = d.mode !== 'MPOL_LOCAL';
  return defineCase({
    id: `scheduling.memory-policy.${d.id}`,
    title: `mode ${d.mode}${d.flag ? ` with ${d.flag}` : ''}${withNodes ? ' on the first node' : ''}: the container process has that NUMA policy`,
    // Run only for what features lists (or without features): a listed mode or flag must be understood.
    requirements: ['config-linux:memory-policy.applied', 'features-linux:memory-policy.modes', ...(d.flag ? ['features-linux:memory-policy.flags'] : [])],
    exercises: ['linux.memoryPolicy'],
    needs: [
      `feature:linux.memoryPolicy.modes=${d.mode}`,
      ...(d.flag ? [`feature:linux.memoryPolicy.flags=${d.flag}`] : []),
      ...(d.kernel ? [`kernel:${d.kernel}`] : []),
    ],
    bundle: (b) => {
      const node = onlineNodes()?.[0] ?? 0;
      b.ociVersion(SINCE.memoryPolicy).probe({ only: ['meta'], cmds: { numa: 'cat /proc/$$/numa_maps' } });
      b.set('linux.memoryPolicy', { mode: d.mode, ...(withNodes ? { nodes: String(node) } : {}), ...(d.flag ? { flags: [d.flag] } : {}) });
    },
    async check(t) {
      skipIfUnknownField(t, 'memoryPolicy');
      const why = noNuma();
      if (why) return t.skip(why);
      const p = t.bundle.config.linux!.memoryPolicy!;
      const want = `${MODE_TEXT[d.mode]}${d.flag ? `=${FLAG_TEXT[d.flag]}` : ''}${withNodes ? `:${p.nodes}` : ''}`;
      const facts = await t.probe();
      // A sandboxed kernel (gVisor) has no numa_maps of its own: nothing shows the policy there.
      if (facts.cmds.numa?.rc !== 0 && /No such file/.test(facts.cmds.numa?.output ?? ''))
        return t.skip(`the container's /proc has no numa_maps: the NUMA policy cannot be seen from inside (${facts.cmds.numa?.output.trim()})`);
      // The mode (and flag) the runtime's features list, applied.
      const applied = t.req(t.requirements[0]!, ...t.requirements.slice(1));
      const text = output(applied, facts, 'numa');
      if (text === undefined) return;
      const got = policyOf(text);
      // What follows the policy on the line is the mapping's file, node counts and page size.
      applied.ok(
        got !== undefined && (got === want || got.startsWith(`${want} `)),
        `NUMA policy in /proc/$$/numa_maps: expected "${want}", got "${got?.split(' file=')[0] ?? '(no mapping)'}"`,
        { expected: want, actual: got },
      );
    },
  });
}

export default [
  policyCase({ id: 'bind', mode: 'MPOL_BIND' }),
  policyCase({ id: 'interleave', mode: 'MPOL_INTERLEAVE' }),
  policyCase({ id: 'preferred', mode: 'MPOL_PREFERRED' }),
  policyCase({ id: 'local', mode: 'MPOL_LOCAL' }),
  policyCase({ id: 'preferred-many', mode: 'MPOL_PREFERRED_MANY', kernel: '5.15' }),
  policyCase({ id: 'weighted-interleave', mode: 'MPOL_WEIGHTED_INTERLEAVE', kernel: '6.9' }),
  policyCase({ id: 'static-nodes', mode: 'MPOL_BIND', flag: 'MPOL_F_STATIC_NODES' }),
  policyCase({ id: 'relative-nodes', mode: 'MPOL_BIND', flag: 'MPOL_F_RELATIVE_NODES' }),
  policyCase({ id: 'numa-balancing', mode: 'MPOL_BIND', flag: 'MPOL_F_NUMA_BALANCING', kernel: '5.12' }),

  defineCase({
    id: 'scheduling.memory-policy.unavailable-node-error',
    title: 'MPOL_BIND on a node this host does not have makes create fail',
    requirements: ['config-linux:memory-policy.applied', 'runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.memoryPolicy'],
    needs: ['feature:linux.memoryPolicy.modes=MPOL_BIND'],
    bundle: (b) => {
      // One past the highest node with memory: set_mempolicy(2) refuses a mask with no usable node (EINVAL).
      const absent = Math.max(-1, ...(onlineNodes() ?? [0])) + 1;
      b.ociVersion(SINCE.memoryPolicy)
        .probe({ only: ['meta'] })
        .set('linux.memoryPolicy', { mode: 'MPOL_BIND', nodes: String(absent) });
    },
    async check(t) {
      skipIfUnknownField(t, 'memoryPolicy');
      const why = noNuma();
      if (why) return t.skip(why);
      await expectRefused(refusalOf(t), `MPOL_BIND on node ${t.bundle.config.linux?.memoryPolicy?.nodes}, which this host does not have`);
    },
  }),
] as Case[];
