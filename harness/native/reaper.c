/*
 * reaper: runs one runtime call so that nothing the runtime starts can slip out of
 * conform's hands, and kills processes of a cgroup without pid-reuse races
 * (harness/process/spawn.ts is its other end).
 *
 * Why a C program: a runtime daemonizes (fork, setsid, fork again) and its leftovers
 * escape any process group; they cannot escape a child subreaper (PR_SET_CHILD_SUBREAPER),
 * which every orphan below it is reparented to. Node cannot be one: libuv reaps only
 * the children it spawned. And a child that is still ours (alive or a zombie) cannot
 * have its pid reused, so killing it is exact, with no lookup by pid at all.
 *
 * Usage: reaper [--hold [--grace MS]] [--ctl N] -- PROGRAM [ARGS...]
 *   Runs PROGRAM as its child, with the reaper's stdin/stdout/stderr (and fds 3 to N-1:
 *   fds the caller hands over, e.g. for runc's --preserve-fds), then gives up its own
 *   stdio (to /dev/null) so that only PROGRAM and what it starts hold them.
 *   fd N (default 3) is the control channel from conform, never passed on; lines
 *   written to it, each one write:
 *     started PID              PROGRAM runs as PID
 *     spawnerror CODE TEXT     PROGRAM could not be executed (errno name, strerror)
 *     exit N | signal N        PROGRAM ended
 *     killed PID ARGS          a process PROGRAM left, killed (ARGS: its command line)
 *     stuck PID ARGS           one that SIGKILL did not end within 5 s
 *     done                     last line, then exit 0
 *   Without --hold, what PROGRAM left is killed as soon as it ends. With --hold (create:
 *   what it leaves is the container), it is kept, and reaped as it exits, until
 *   conform shuts down its end of fd N (or dies): then, after waiting up to --grace
 *   milliseconds for it to end by itself (an engine's machinery winding down), it is
 *   killed. SIGTERM (conform's
 *   deadline for the call) kills PROGRAM and everything under the reaper at once.
 *
 * Usage: reaper --kill-cgroups DIR...
 *   SIGKILLs every process in the cgroup directories DIR (their cgroup.procs) until
 *   they are empty, or for at most 5 s, each through a pidfd taken before checking
 *   that the pid is (still) in DIR: a pid reused meanwhile is never signalled.
 *   Prints `killed PID ARGS` per process to stdout; exit 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "line.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define KILL_DEADLINE_MS 5000
#define MAX_PIDS 4096

static int CTL = 3;
static int out = 3;

/* One line to conform (the control channel, or stdout for --kill-cgroups). */
#define say(...) write_line(out, __VA_ARGS__)

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A process's command line, NULs as spaces, at most 200 bytes ("?" when gone). */
static void args_of(pid_t pid, char *buf, size_t len) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);
  if (fd >= 0) close(fd);
  if (n <= 0) {
    /* No command line: a zombie (it ended on its own: "?", not reported), or a process
       between fork and exec, or in exec: named by its comm from /proc/PID/stat. */
    char stat[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd < 0 ? -1 : read(fd, stat, sizeof stat - 1);
    if (fd >= 0) close(fd);
    char *open_paren = n > 0 ? (stat[n] = '\0', strchr(stat, '(')) : NULL;
    char *close_paren = n > 0 ? strrchr(stat, ')') : NULL;
    if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ' || close_paren[2] == 'Z' || close_paren[2] == 'X') {
      snprintf(buf, len, "?");
      return;
    }
    *close_paren = '\0';
    snprintf(buf, len, "[%s]", open_paren + 1);
    return;
  }
  for (ssize_t i = 0; i < n; i++)
    if (buf[i] == '\0' || buf[i] == '\n') buf[i] = ' ';
  while (n > 0 && buf[n - 1] == ' ') n--;
  buf[n] = '\0';
}

/* Our children (reparented orphans included), from /proc/self/task/TID/children. */
static int children(pid_t *pids, int max) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  int count = 0;
  for (char *p = buf; *p && count < max;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p) break;
    pids[count++] = (pid_t)v;
    p = end;
    while (*p == ' ') p++;
  }
  return count;
}

static pid_t program = -1;
static int program_status;
static int program_ended;

/* Reaps every child that has exited; notes PROGRAM's status when it is one of them. */
static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == program) {
      program_status = status;
      program_ended = 1;
      if (WIFSIGNALED(status)) say("signal %d", WTERMSIG(status));
      else say("exit %d", WEXITSTATUS(status));
    }
  }
}

static int sfd = -1;

/* Waits up to ms for a signal (SIGCHLD, SIGTERM) or input on fd (-1: none). */
static int wait_event(int fd, int ms, int *term) {
  struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
  int r = poll(p, fd >= 0 ? 2 : 1, ms);
  if (r <= 0) return 0;
  if (p[0].revents & POLLIN) {
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof si) == sizeof si)
      if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) *term = 1;
  }
  return fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

/*
 * Kills everything below us: our children first (exact: a child's pid cannot be reused
 * before we reap it), then what they leave, which the kernel reparents to us; until
 * none is left, or 5 s have passed.
 */
static void kill_all(void) {
  static pid_t seen[MAX_PIDS];
  int nseen = 0;
  long deadline = now_ms() + KILL_DEADLINE_MS;
  pid_t kids[MAX_PIDS];
  for (;;) {
    reap();
    int n = children(kids, MAX_PIDS);
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      int known = 0;
      for (int j = 0; j < nseen; j++) known |= seen[j] == kids[i];
      if (!known && kids[i] != program) {
        char args[256];
        args_of(kids[i], args, sizeof args);
        if (strcmp(args, "?") != 0) say("killed %d %s", kids[i], args);
        if (nseen < MAX_PIDS) seen[nseen++] = kids[i];
      }
      kill(kids[i], SIGKILL);
    }
    if (now_ms() > deadline) {
      for (int i = 0; i < n; i++) {
        char args[256];
        args_of(kids[i], args, sizeof args);
        say("stuck %d %s", kids[i], args);
      }
      return;
    }
    int term = 0;
    wait_event(-1, 20, &term);
  }
}

static int run(int hold, long grace, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (fcntl(CTL, F_SETFD, FD_CLOEXEC) < 0) {
    fprintf(stderr, "reaper: fd %d (the control channel) is not open\n", CTL);
    return 2;
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    fprintf(stderr, "reaper: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
    return 2;
  }
  sigset_t mask, old;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, &old);
  sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  int errpipe[2];
  if (sfd < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
    fprintf(stderr, "reaper: %s\n", strerror(errno));
    return 2;
  }
  program = fork();
  if (program < 0) {
    say("spawnerror %s %s", strerrorname_np(errno), strerror(errno));
    say("done");
    return 0;
  }
  if (program == 0) {
    close(errpipe[0]);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    execvp(argv[0], argv);
    int e = errno;
    if (write(errpipe[1], &e, sizeof e) < 0) { /* the parent sees a plain exit 127 */ }
    _exit(127);
  }
  close(errpipe[1]);
  int e;
  if (read(errpipe[0], &e, sizeof e) == sizeof e) {
    say("spawnerror %s %s", strerrorname_np(e), strerror(e));
    waitpid(program, NULL, 0);
    say("done");
    return 0;
  }
  close(errpipe[0]);
  say("started %d", program);
  /* Only PROGRAM and what it starts hold the caller's stdio now; we keep no directory busy. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  if (chdir("/") < 0) { /* stays where it was: harmless */ }

  int term = 0, ctl_closed = 0;
  while (!program_ended && !term && !ctl_closed) {
    reap();
    if (program_ended) break;
    if (wait_event(CTL, -1, &term)) ctl_closed = 1; /* any word from conform, or its end of file, means: stop */
  }
  if (term || ctl_closed) {
    /* A deadline, or conform gone: PROGRAM is no different from what it started. */
    kill(program, SIGKILL);
    kill_all();
    say("done");
    return 0;
  }
  while (hold && !term && !ctl_closed) {
    reap();
    if (wait_event(CTL, -1, &term)) ctl_closed = 1; /* any word from conform, or its end of file, means: stop */
  }
  for (long until = now_ms() + grace; !term && now_ms() < until;) {
    pid_t kids[1];
    reap();
    if (children(kids, 1) == 0) break;
    wait_event(-1, 20, &term);
  }
  kill_all();
  say("done");
  return 0;
}

/* Whether cgroup.procs of dir lists pid. */
static int in_cgroup(const char *dir, pid_t pid) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  long v;
  int found = 0;
  while (!found && fscanf(f, "%ld", &v) == 1) found = v == pid;
  fclose(f);
  return found;
}

static int kill_cgroups(int n, char **dirs) {
  out = 1;
  long deadline = now_ms() + KILL_DEADLINE_MS;
  static pid_t seen[MAX_PIDS];
  int nseen = 0;
  for (;;) {
    int left = 0;
    for (int i = 0; i < n; i++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/cgroup.procs", dirs[i]);
      FILE *f = fopen(path, "re");
      if (!f) continue;
      long v;
      pid_t pids[MAX_PIDS];
      int count = 0;
      while (count < MAX_PIDS && fscanf(f, "%ld", &v) == 1) pids[count++] = (pid_t)v;
      fclose(f);
      for (int k = 0; k < count; k++) {
        if (pids[k] == getpid()) continue;
        int pidfd = (int)syscall(SYS_pidfd_open, pids[k], 0);
        if (pidfd < 0) continue; /* gone */
        /* Taken the pidfd first: if the pid is in the cgroup now, the pidfd's process is (or is dead). */
        if (in_cgroup(dirs[i], pids[k])) {
          left++;
          int known = 0;
          for (int j = 0; j < nseen; j++) known |= seen[j] == pids[k];
          if (!known) {
            char args[256];
            args_of(pids[k], args, sizeof args);
            say("killed %d %s", pids[k], args);
            if (nseen < MAX_PIDS) seen[nseen++] = pids[k];
          }
          syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        }
        close(pidfd);
      }
    }
    if (!left) return 0;
    if (now_ms() > deadline) return 0;
    struct timespec ts = { 0, 20 * 1000000L };
    nanosleep(&ts, NULL);
  }
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--kill-cgroups") == 0) return kill_cgroups(argc - 2, argv + 2);
  int hold = 0, i = 1;
  long grace = 0;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (strcmp(argv[i], "--hold") == 0) hold = 1;
    else if (strcmp(argv[i], "--grace") == 0 && i + 1 < argc) grace = atol(argv[++i]);
    else if (strcmp(argv[i], "--ctl") == 0 && i + 1 < argc && atoi(argv[i + 1]) >= 3) out = CTL = atoi(argv[++i]);
    else break;
  }
  if (i + 1 >= argc || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "usage: reaper [--hold [--grace MS]] [--ctl N] -- PROGRAM [ARGS...] | reaper --kill-cgroups DIR...\n");
    return 2;
  }
  return run(hold, grace, argv + i + 1);
}
