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
 *     left N                   (--hold) PROGRAM ended leaving N processes, its orphans
 *                              now ours; said right before its `exit` line
 *     exit N | signal N        PROGRAM ended
 *     empty                    (--hold, after `left N` with N > 0) every one of them, and
 *                              all they started, has exited: nothing is left below us
 *                              (waitpid says ECHILD, exact, no pid lookup)
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
 * Usage: reaper --serve
 *   Runs commands for conform as above, each under a reaper of its own forked from this
 *   one: Node's spawn forks all of conform (~12 ms of CPU a call at its size), a fork of
 *   this small process costs a fraction of that. Frames in both directions, each a line
 *   `KIND ID LEN` and LEN bytes. From conform, on stdin:
 *     input ID LEN   what the next `run ID` gets on its stdin
 *     run ID LEN     NUL-terminated fields: hold (0|1), grace ms, stdin (ignore|input),
 *                    stdout, stderr (pipe|FD), the count of extra fds and each FD, cwd,
 *                    the count of env entries and each, then the command's argv. An FD
 *                    is conform's own fd number, taken with pidfd_getfd(2).
 *     release ID 0   shut down the write side of the call's control channel (as the end
 *                    of fd N above)
 *     kill ID LEN    "SIGNAL GROUP": signals the call's reaper (GROUP 1: its process group)
 *   To conform, on stdout: `pid ID` (payload: the reaper's pid), `out`/`err`/`ctl` (bytes
 *   of the call's stdout, stderr, control channel), `outend`/`errend`/`ctlend` (that
 *   stream closed), `exit ID` (payload: the reaper's wait status, `exit N` or `signal N`),
 *   `fderror ID` (payload: why conform's fd could not be taken; nothing was started).
 *   Its first frame is `hello 0` (payload: `fds`, or `nofds` when conform's fds cannot be
 *   taken: conform then starts the calls that hand some over itself).
 *   At the end of stdin it exits; the calls' control channels close with it, and their
 *   reapers kill what they ran, as when conform ends.
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
#include <sys/socket.h>
#include <sys/uio.h>
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
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
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
/* --hold: say how many processes PROGRAM left, and when none of them is left. */
static int holding;
static int left_some;

/*
 * Reaps every child that has exited; notes PROGRAM's status when it is one of them.
 * Returns whether we have no child left at all. PROGRAM's orphans are ours before its
 * exit is reported to us (the kernel reparents them first), so `left` counts them all.
 */
static int reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == program) {
      program_status = status;
      program_ended = 1;
      if (holding) {
        pid_t kids[MAX_PIDS];
        int n = children(kids, MAX_PIDS);
        left_some = n > 0;
        say("left %d", n);
      }
      if (WIFSIGNALED(status)) say("signal %d", WTERMSIG(status));
      else say("exit %d", WEXITSTATUS(status));
    }
  }
  return pid < 0 && errno == ECHILD;
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
  holding = hold;
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
  for (int said_empty = 0; hold && !term && !ctl_closed;) {
    if (reap() && left_some && !said_empty) {
      said_empty = 1;
      say("empty");
    }
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

/* ---- --serve ---- */

#define MAX_CALLS 256
#define MAX_FIELDS 4096

struct call {
  int id;
  pid_t pid; /* the call's reaper; 0 once reaped */
  int fd[3]; /* stdout, stderr, control channel: our ends, -1 when closed or not piped */
};
static struct call calls[MAX_CALLS];
static int ncalls;
static const char *STREAM[3] = { "out", "err", "ctl" };

/* One frame to conform: `KIND ID LEN` and LEN bytes. */
static void frame(const char *kind, int id, const void *data, size_t len) {
  char head[64];
  int n = snprintf(head, sizeof head, "%s %d %zu\n", kind, id, len);
  struct iovec iov[2] = { { head, (size_t)n }, { (void *)data, len } };
  size_t left = n + len;
  while (left > 0) {
    ssize_t w = writev(1, iov, 2);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(0); /* conform is gone */
    }
    left -= w;
    for (int i = 0; i < 2 && w > 0; i++) {
      size_t take = (size_t)w < iov[i].iov_len ? (size_t)w : iov[i].iov_len;
      iov[i].iov_base = (char *)iov[i].iov_base + take;
      iov[i].iov_len -= take;
      w -= take;
    }
  }
}

static void framef(const char *kind, int id, const char *fmt, long v) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, fmt, v);
  frame(kind, id, buf, n);
}

static struct call *call_of(int id) {
  for (int i = 0; i < ncalls; i++)
    if (calls[i].id == id) return &calls[i];
  return NULL;
}

/* A call whose reaper was reaped and whose streams all closed is forgotten. */
static void forget_done(void) {
  for (int i = 0; i < ncalls;) {
    struct call *c = &calls[i];
    if (c->pid == 0 && c->fd[0] < 0 && c->fd[1] < 0 && c->fd[2] < 0) calls[i] = calls[--ncalls];
    else i++;
  }
}

/* conform's fd, as one of ours (close-on-exec): conform is our parent. */
static int take_fd(int conform, const char *spec, int *err) {
  int fd = (int)syscall(SYS_pidfd_getfd, conform, atoi(spec), 0);
  if (fd < 0) *err = errno;
  return fd;
}

/*
 * Starts the call `id` from its fields (see the usage above): a reaper forked from us,
 * in a session of its own, with the fds, directory and environment conform asked for.
 */
static void start_call(int conform, int id, char **f, int nf, char *input, size_t input_len, sigset_t *old) {
  if (ncalls == MAX_CALLS || nf < 9) {
    frame("fderror", id, "too many calls, or a malformed request", 38);
    return;
  }
  int k = 0;
  int hold = atoi(f[k++]);
  long grace = atol(f[k++]);
  int piped_in = strcmp(f[k++], "input") == 0;
  const char *spec[2] = { f[k], f[k + 1] };
  k += 2;
  int nextra = atoi(f[k++]);
  if (nextra < 0 || k + nextra + 2 > nf) {
    frame("fderror", id, "malformed request", 17);
    return;
  }
  char **extra = f + k;
  k += nextra;
  const char *cwd = f[k++];
  int nenv = atoi(f[k++]);
  if (nenv < 0 || k + nenv >= nf) {
    frame("fderror", id, "malformed request", 17);
    return;
  }
  char **env = f + k;
  k += nenv;
  char **argv = f + k;
  f[nf] = NULL; /* argv ends the fields */
  char **envp = malloc(sizeof(char *) * (nenv + 1));
  for (int i = 0; i < nenv; i++) envp[i] = env[i];
  envp[nenv] = NULL;

  /* The child's fds, in order: stdin, stdout, stderr, the extra ones, the control channel. */
  int n = 3 + nextra + 1, err = 0;
  int *child = malloc(sizeof(int) * n), ours[3] = { -1, -1, -1 };
  for (int i = 0; i < n; i++) child[i] = -1;
  int p[2], sp[2];
  if (piped_in) {
    /* Written before the command starts: conform gives no more than a pipe's buffer takes
       (64 KiB, less when the user's pipe pages run short: then the call is refused). */
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) err = errno;
    else {
      size_t off = 0;
      while (off < input_len) {
        ssize_t w = write(p[1], input + off, input_len - off);
        if (w <= 0) break;
        off += w;
      }
      close(p[1]);
      if (off < input_len) {
        close(p[0]);
        err = EMSGSIZE;
      } else {
        fcntl(p[0], F_SETFL, 0);
        child[0] = p[0];
      }
    }
  } else child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int s = 0; s < 2 && !err; s++) {
    if (strcmp(spec[s], "pipe") == 0) {
      if (pipe2(p, O_CLOEXEC) < 0) err = errno;
      else {
        ours[s] = p[0];
        child[1 + s] = p[1];
      }
    } else child[1 + s] = take_fd(conform, spec[s], &err);
  }
  for (int i = 0; i < nextra && !err; i++) child[3 + i] = take_fd(conform, extra[i], &err);
  if (!err && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) err = errno;
  if (!err) {
    ours[2] = sp[0];
    child[n - 1] = sp[1];
  }
  pid_t pid = err ? -1 : fork();
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, old, NULL);
    setsid();
    /* Out of the way of the numbers they go to, then in place (dup2 clears close-on-exec). */
    for (int i = 0; i < n; i++) child[i] = fcntl(child[i], F_DUPFD_CLOEXEC, n + 3);
    for (int i = 0; i < n; i++) dup2(child[i], i);
    /* Nothing of the server's: another call's control channel held here would never close. */
    if (syscall(SYS_close_range, n, ~0U, 0) < 0)
      for (int fd = n; fd < 65536; fd++) close(fd);
    out = CTL = n - 1;
    if (*cwd && chdir(cwd) < 0) {
      say("spawnerror %s %s", strerrorname_np(errno), strerror(errno));
      say("done");
      _exit(0);
    }
    environ = envp;
    _exit(run(hold, grace, argv));
  }
  for (int i = 0; i < n; i++)
    if (child[i] >= 0) close(child[i]);
  free(child);
  free(envp);
  if (pid < 0) {
    if (!err) err = errno;
    for (int s = 0; s < 3; s++)
      if (ours[s] >= 0) close(ours[s]);
    char msg[200];
    int m = snprintf(msg, sizeof msg, "%s %s", strerrorname_np(err), strerror(err));
    frame("fderror", id, msg, m);
    return;
  }
  for (int s = 0; s < 3; s++)
    if (ours[s] >= 0) fcntl(ours[s], F_SETFL, O_NONBLOCK);
  calls[ncalls++] = (struct call){ .id = id, .pid = pid, .fd = { ours[0], ours[1], ours[2] } };
  framef("pid", id, "%ld", pid);
}

/* Reads what a call's stream has; at its end, closes it and says so. */
static void drain(struct call *c, int s) {
  char buf[65536];
  for (;;) {
    ssize_t r = read(c->fd[s], buf, sizeof buf);
    if (r > 0) {
      frame(STREAM[s], c->id, buf, r);
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close(c->fd[s]);
    c->fd[s] = -1;
    char kind[8];
    snprintf(kind, sizeof kind, "%send", STREAM[s]);
    frame(kind, c->id, "", 0);
    return;
  }
}

static void reap_calls(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
    for (int i = 0; i < ncalls; i++)
      if (calls[i].pid == pid) {
        calls[i].pid = 0;
        if (WIFSIGNALED(status)) framef("exit", calls[i].id, "signal %ld", WTERMSIG(status));
        else framef("exit", calls[i].id, "exit %ld", WEXITSTATUS(status));
      }
}

static int serve(void) {
  signal(SIGPIPE, SIG_IGN);
  int conform = (int)syscall(SYS_pidfd_open, getppid(), 0);
  sigset_t mask, old;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, &old);
  int chld = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (chld < 0) {
    fprintf(stderr, "reaper: signalfd: %s\n", strerror(errno));
    return 2;
  }
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  /* Whether conform's fds can be taken (pidfd_getfd needs Linux 5.6 and ptrace rights):
     tried on its stdio, whichever is open. */
  const char *fds = "nofds";
  for (int fd = 0; conform >= 0 && fd < 3; fd++) {
    int got = (int)syscall(SYS_pidfd_getfd, conform, fd, 0);
    if (got >= 0) close(got);
    if (got >= 0 || errno != EBADF) {
      if (got >= 0) fds = "fds";
      break;
    }
  }
  frame("hello", 0, fds, strlen(fds));
  size_t cap = 1 << 16, len = 0;
  char *in = malloc(cap);
  char *input = NULL;
  size_t input_len = 0;
  int input_id = -1, eof = 0;
  struct pollfd *p = malloc(sizeof(struct pollfd) * (2 + 3 * MAX_CALLS));
  struct { struct call *c; int s; } *who = malloc(sizeof *who * (2 + 3 * MAX_CALLS));
  while (!eof) {
    int np = 0;
    p[np++] = (struct pollfd){ .fd = 0, .events = POLLIN };
    p[np++] = (struct pollfd){ .fd = chld, .events = POLLIN };
    for (int i = 0; i < ncalls; i++)
      for (int s = 0; s < 3; s++)
        if (calls[i].fd[s] >= 0) {
          who[np].c = &calls[i];
          who[np].s = s;
          p[np++] = (struct pollfd){ .fd = calls[i].fd[s], .events = POLLIN };
        }
    if (poll(p, np, -1) < 0) {
      if (errno == EINTR) continue;
      return 2;
    }
    for (int i = 2; i < np; i++)
      if (p[i].revents) drain(who[i].c, who[i].s);
    if (p[1].revents) {
      struct signalfd_siginfo si;
      while (read(chld, &si, sizeof si) == sizeof si) {}
      reap_calls();
    }
    forget_done();
    if (!p[0].revents) continue;
    if (cap - len < 65536) in = realloc(in, cap *= 2);
    ssize_t r = read(0, in + len, cap - len);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      eof = 1;
      break;
    }
    len += r;
    /* Every whole frame read so far. */
    size_t at = 0;
    for (;;) {
      char *nl = memchr(in + at, '\n', len - at);
      if (!nl) break;
      char kind[16];
      int id;
      size_t flen;
      *nl = '\0';
      if (sscanf(in + at, "%15s %d %zu", kind, &id, &flen) != 3) return 2;
      *nl = '\n';
      size_t body = nl + 1 - in;
      if (len - body < flen) break;
      char *data = in + body;
      at = body + flen;
      if (strcmp(kind, "input") == 0) {
        free(input);
        input = malloc(flen + 1);
        memcpy(input, data, flen);
        input_len = flen;
        input_id = id;
      } else if (strcmp(kind, "run") == 0) {
        static char *fields[MAX_FIELDS + 1];
        int nf = 0;
        for (size_t i = 0; i < flen && nf < MAX_FIELDS; nf++) {
          fields[nf] = data + i;
          char *z = memchr(data + i, '\0', flen - i);
          if (!z) break;
          i = z + 1 - data;
        }
        start_call(conform, id, fields, nf, input_id == id ? input : NULL, input_id == id ? input_len : 0, &old);
        free(input);
        input = NULL;
        input_len = 0;
        input_id = -1;
      } else if (strcmp(kind, "release") == 0) {
        struct call *c = call_of(id);
        if (c && c->fd[2] >= 0) shutdown(c->fd[2], SHUT_WR);
      } else if (strcmp(kind, "kill") == 0) {
        struct call *c = call_of(id);
        int sig = 0, group = 0;
        char what[32] = "";
        memcpy(what, data, flen < sizeof what - 1 ? flen : sizeof what - 1);
        if (c && c->pid > 0 && sscanf(what, "%d %d", &sig, &group) == 2) kill(group ? -c->pid : c->pid, sig);
      }
    }
    memmove(in, in + at, len - at);
    len -= at;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "--kill-cgroups") == 0) return kill_cgroups(argc - 2, argv + 2);
  if (argc == 2 && strcmp(argv[1], "--serve") == 0) return serve();
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
