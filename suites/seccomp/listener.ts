// config-linux.md "Seccomp", listenerPath and SCMP_ACT_NOTIFY: what the runtime sends
// the agent (common.ts has what the files share).
import { defineCase, type Case } from '../../harness/case/case.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { ERRNO_A, UNUSED_SYSCALLS, attemptsOf } from '../support/seccomp.js';
import { startSeccompAgent } from '../../harness/process/seccomp-agent.js';
import { ENABLED, act, tries, expectOutcomes, ACTION, MKDIR, GONE, createWithNotify } from './common.js';

export default [
  defineCase({
    id: 'seccomp.listener.state',
    title: 'with SCMP_ACT_NOTIFY the runtime sends one container process state with the listener fd to listenerPath, then closes the connection',
    requirements: [
      'config-linux:seccomp.listener.socket-type',
      'config-linux:seccomp.listener.one-state',
      'config-linux:seccomp.listener.close',
      'config-linux:seccomp.listener.seccomp-fd',
      'config-linux:seccomp.listener.no-reuse',
      'config-linux:seccomp.listener-metadata.sent',
      'config-linux:process-state.scm-rights',
      'config-linux:process-state.fds-first',
      'config-linux:process-state.fds-index',
      'config-linux:process-state.json',
      'config-linux:process-state.required-fields',
      'config-linux:process-state.pid',
    ],
    exercises: ['linux.seccomp'],
    needs: [ENABLED, act('SCMP_ACT_NOTIFY')],
    bundle: (b) =>
      b.probe({ only: ['meta'] }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('a.sock'),
        listenerMetadata: 'conform-metadata',
        syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      const agent = await startSeccompAgent(t, t.bundle.config.linux!.seccomp!.listenerPath!, ERRNO_A.code);
      await createWithNotify(t);
      const st = await t.state();
      await agent.until((ev) => ev.closed, t.rt.rt.timeoutMs);
      const ev = agent.events();
      // The agent listens on an AF_UNIX SOCK_STREAM socket: a connection shows the runtime used that type.
      if (!t.req('config-linux:seccomp.listener.socket-type').ok(ev.connections >= 1, 'the runtime connected to listenerPath during create')) return;
      t.req('config-linux:seccomp.listener.no-reuse', 'config-linux:seccomp.listener.one-state').equal(ev.connections, 1, 'connections to listenerPath');
      t.req('config-linux:seccomp.listener.seccomp-fd', 'config-linux:process-state.scm-rights').equal(
        ev.fdLink,
        'anon_inode:seccomp notify',
        'the fd that came with the state (SCM_RIGHTS) is a seccomp listener',
      );
      t.req('config-linux:process-state.fds-first').equal(ev.fdAt, 0, 'bytes sent before the message that carried the fd (it rides on the first sendmsg)');
      t.req('config-linux:seccomp.listener.close').ok(ev.closed, 'the runtime closed the connection after sending the state');
      let msg: Record<string, unknown> | undefined;
      try {
        msg = JSON.parse(agent.received()) as Record<string, unknown>;
      } catch {
        t.req('config-linux:process-state.json', 'config-linux:seccomp.listener.one-state').fail('what the runtime sent is not one JSON document', {
          actual: agent.received().slice(0, 300),
        });
      }
      const fields = t.req('config-linux:process-state.required-fields');
      fields.ok(typeof msg?.ociVersion === 'string', 'the process state has an ociVersion string', { actual: msg?.ociVersion });
      t.req('config-linux:process-state.pid').equal(msg?.pid, st.pid, 'pid in the process state (the container process, as the runtime sees it)');
      // The n-th name belongs to the n-th fd: the first fd is the listener (checked above).
      const fds = Array.isArray(msg?.fds) ? (msg.fds as unknown[]) : undefined;
      t.req('config-linux:seccomp.listener.seccomp-fd', 'config-linux:process-state.fds-index').equal(
        fds?.[0],
        'seccompFd',
        'fds[0], the name of the first fd sent (the listener)',
      );
      t.req('config-linux:process-state.fds-index').equal(fds?.length, 1 + ev.extraFds, 'names in fds, one per fd sent');
      t.req('config-linux:seccomp.listener-metadata.sent').equal(msg?.metadata, 'conform-metadata', 'metadata (listenerMetadata)');
      const state = msg?.state as Record<string, unknown> | undefined;
      fields.equal(state?.id, t.id, 'state.id in the process state');
      fields.equal(state?.pid, st.pid, 'state.pid in the process state');
      await t.start();
      await t.waitOutput('@@done');
    },
  }),

  defineCase({
    id: 'seccomp.notify.agent-answers',
    title: "with SCMP_ACT_NOTIFY on mkdir, the agent holding the listener fd decides: the process's mkdir fails with the errno the agent answers",
    requirements: ['config-linux:seccomp.syscalls.action', 'config-linux:seccomp.listener.seccomp-fd'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_NOTIFY')],
    bundle: (b) =>
      tries(b, [MKDIR, GONE]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('a.sock'),
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      const agent = await startSeccompAgent(t, t.bundle.config.linux!.seccomp!.listenerPath!, ERRNO_A.code);
      await createWithNotify(t);
      await t.start();
      const out = await t.waitOutput('@@done');
      // The agent decides only if it got the listener (seccompFd); the syscall reaching it is the action's doing.
      const decided = t.req(ACTION, 'config-linux:seccomp.listener.seccomp-fd');
      expectOutcomes(
        decided,
        attemptsOf(parseProbe(out)),
        { mkdir: ERRNO_A.name, absent: 'ok' },
        'under a mkdir rule with SCMP_ACT_NOTIFY (the agent answers EDOM)',
      );
      const ev = agent.events();
      decided.ok(ev.notifications.length > 0, 'the agent received a notification for the mkdir', { actual: ev });
      if (ev.error) t.note(`the agent: ${ev.error}`);
    },
  }),

  defineCase({
    id: 'seccomp.listener.connect-error',
    title: 'with SCMP_ACT_NOTIFY and nothing listening at listenerPath, create fails',
    requirements: ['config-linux:seccomp.listener.send-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.seccomp'],
    needs: [ENABLED],
    bundle: (b) =>
      b.probe({ only: ['meta'] }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('nobody-listens.sock'),
        syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      t.req('config-linux:seccomp.listener.send-error').expectError(await t.rt.create(t.id, t.bundle.dir), 'create');
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state of the container whose create failed');
    },
  }),

  defineCase({
    id: 'seccomp.listener.unused',
    title: 'without SCMP_ACT_NOTIFY, listenerPath is ignored: create succeeds and the filter applies',
    requirements: ['config-linux:seccomp.listener.ignored-without-notify', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('nobody-listens.sock'),
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code }],
      }),
    async check(t) {
      // Ignored: create works as if listenerPath were not there; the filter is the action's.
      await t.req('config-linux:seccomp.listener.ignored-without-notify').create();
      await t.start();
      const out = await t.waitOutput('@@done');
      expectOutcomes(t, attemptsOf(parseProbe(out)), { mkdir: ERRNO_A.name }, 'under a mkdir rule (listenerPath set, no SCMP_ACT_NOTIFY)', { mkdir: [ACTION] });
    },
  }),
] as Case[];
