// config-linux.md "Control groups", network: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import type { Case } from '../../harness/case/case.js';
import { networkExpectation } from './expect.js';
import { valueCase } from './resource-case.js';

const network: Case[] = [
  valueCase({
    id: 'cgroups.network.class-id',
    title: 'network.classID is the net_cls class id of the cgroup',
    requirements: ['config-linux:resources.network.class-id'],
    exercises: ['linux.resources.network.classID'],
    needs: ['cgroup:v1', 'cgroup-controller:net_cls'],
    controller: 'net_cls',
    resources: () => ({ network: { classID: 0x100001 } }),
    expect: (r, v) => networkExpectation(r.network!, v),
  }),
  valueCase({
    id: 'cgroups.network.priorities',
    title: 'network.priorities set the net_prio priority of the named (runtime namespace) interface',
    requirements: ['config-linux:resources.network.priorities'],
    exercises: ['linux.resources.network.priorities'],
    needs: ['cgroup:v1', 'cgroup-controller:net_prio'],
    controller: 'net_prio',
    resources: () => ({ network: { priorities: [{ name: 'lo', priority: 5 }] } }),
    expect: (r, v) => networkExpectation(r.network!, v),
  }),
];

export default network;
