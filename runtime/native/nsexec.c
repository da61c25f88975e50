/*
 * nsexec: puts a program into namespaces, for conform-runtime.
 *
 * Why it exists: the kernel refuses to create or join a user namespace from a
 * multi-threaded process, and Node always has threads. This helper is started
 * single-threaded, does the namespace work, forks (so that the child is PID 1 of
 * a new PID namespace and starts in a new time namespace), and execs the program.
 * Using it for every container also keeps the runtime's own namespaces untouched.
 *
 * Usage: nsexec [-f FD,FD...] [-j TYPE:PATH]... [-u FLAGS] [-t OFFSETS] [-S] [-w] -- PROGRAM ARGS...
 *   -f FD,...     first of all, make the inherited fd FD (in order) fd 3, 4, 5…; -1
 *                 leaves that slot closed. The runtime starts nsexec with posix_spawn,
 *                 which does not place fds: the sync socket, the console socket and
 *                 --preserve-fds land at their numbers here, and the FDs given close.
 *   -j TYPE:PATH  setns() into the namespace file PATH (TYPE: user ipc uts net pid
 *                 cgroup time; a user namespace is joined first). Mount namespaces are
 *                 joined by the Node init, which needs the host's files until then.
 *   -u FLAGS      unshare() these CLONE_NEW* flags (decimal). CLONE_NEWUSER is done
 *                 first, then the parent writes the id maps, then the rest.
 *   -t OFFSETS    written to /proc/self/timens_offsets after unsharing the time
 *                 namespace ("monotonic S N\nboottime S N").
 *   -S            setsid() in the child (container inits, like runc).
 *   -w            wait for the child and exit with its status (exec of a process).
 *
 * Protocol on fd 3 (a socket to the runtime), one line per message:
 *   nsexec -> runtime  "ready PID"    namespaces joined, user namespace (if any) made:
 *                                      write /proc/PID/{uid,gid}_map (and, for a new
 *                                      cgroup namespace or a pids limit, put PID in the
 *                                      cgroups), then answer
 *   runtime -> nsexec  "go"           (anything else, or EOF: exit 1 quietly)
 *   nsexec -> runtime  "pid PID"      the child's pid as seen by the runtime; the child
 *                                      execs PROGRAM only after this line is written
 *   nsexec -> runtime  "error TEXT"   a step failed; nsexec exits 1
 * fd 3 stays open across the exec, for the program (the Node init) to go on with, and
 * so does any other inherited fd (fd 4: the --console-socket connection).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define SYNC_FD 3

static void fail(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  dprintf(SYNC_FD, "error %.*s: %s\n", n, buf, strerror(errno));
  _exit(1);
}

/* -f: moves each listed fd to 3, 4, … (through copies above the slots, so that a
   source that is also a slot is not overwritten first), closes the sources. */
static void place_fds(char *list) {
  int src[64], high[64], n = 0;
  for (char *p = strtok(list, ","); p && n < 64; p = strtok(NULL, ",")) src[n++] = atoi(p);
  for (int i = 0; i < n; i++) {
    high[i] = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD_CLOEXEC, 3 + n);
    if (src[i] >= 0 && high[i] < 0) fail("fd %d", src[i]);
  }
  for (int i = 0; i < n; i++)
    if (src[i] >= 3 + n) close(src[i]);
  for (int i = 0; i < n; i++) {
    if (high[i] < 0) {
      close(3 + i);
      continue;
    }
    if (dup2(high[i], 3 + i) < 0) fail("dup2 %d", 3 + i);
    close(high[i]);
  }
}

static int ns_flag(const char *type) {
  static const struct { const char *name; int flag; } t[] = {
    {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].name, type) == 0) return t[i].flag;
  return 0;
}

static int joined_user;

static void join(char *spec, int want_user) {
  char *colon = strchr(spec, ':');
  if (!colon) { errno = EINVAL; fail("bad -j %s", spec); }
  *colon = 0;
  int flag = ns_flag(spec);
  if (!flag) { errno = EINVAL; fail("unknown namespace type %s", spec); }
  if ((flag == CLONE_NEWUSER) != want_user) { *colon = ':'; return; }
  int fd = open(colon + 1, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open %s namespace %s", spec, colon + 1);
  if (setns(fd, flag) < 0) fail("setns %s namespace %s", spec, colon + 1);
  if (flag == CLONE_NEWUSER) joined_user = 1;
  close(fd);
  *colon = ':';
}

static void read_line(char *buf, size_t size) {
  size_t n = 0;
  while (n + 1 < size) {
    ssize_t r = read(SYNC_FD, buf + n, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) _exit(1); /* the runtime went away: it cleans up, we just stop */
    if (buf[n] == '\n') break;
    n++;
  }
  buf[n] = 0;
}

int main(int argc, char **argv) {
  char *joins[16];
  int njoins = 0, unshare_flags = 0, do_setsid = 0, do_wait = 0, opt;
  const char *offsets = NULL;
  char *fds = NULL;
  while ((opt = getopt(argc, argv, "+f:j:u:t:Sw")) != -1) {
    switch (opt) {
      case 'f': fds = optarg; break;
      case 'j': if (njoins < 16) joins[njoins++] = optarg; break;
      case 'u': unshare_flags = atoi(optarg); break;
      case 't': offsets = optarg; break;
      case 'S': do_setsid = 1; break;
      case 'w': do_wait = 1; break;
      default: errno = EINVAL; fail("usage");
    }
  }
  if (fds) place_fds(fds);
  if (optind >= argc) { errno = EINVAL; fail("no program given"); }
  /* Not the runtime's working directory: the init would keep it busy. */
  if (chdir("/") < 0) fail("chdir /");

  for (int i = 0; i < njoins; i++) join(joins[i], 1);
  for (int i = 0; i < njoins; i++) join(joins[i], 0);
  if ((unshare_flags & CLONE_NEWUSER) && unshare(CLONE_NEWUSER) < 0) fail("unshare user namespace");

  char line[64];
  dprintf(SYNC_FD, "ready %d\n", getpid());
  read_line(line, sizeof line);
  if (strcmp(line, "go") != 0) _exit(1);

  if ((unshare_flags & CLONE_NEWUSER) || joined_user) {
    /* Become root of the new (or joined) namespace when 0 is mapped; otherwise stay as
       we are, still with every capability in it until the exec below, which keeps them
       only for uid 0 of the namespace. */
    if (setresgid(0, 0, 0) == 0) setgroups(0, NULL);
    setresuid(0, 0, 0);
    /* A uid change makes us non-dumpable, which makes /proc/self root's: the
       timens_offsets write below, and the Node init, need their own /proc/self. */
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  }
  int rest = unshare_flags & ~CLONE_NEWUSER;
  if (rest && unshare(rest) < 0) fail("unshare(0x%x)", rest);
  if (offsets && *offsets) {
    int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, offsets, strlen(offsets)) < 0) fail("write timens_offsets");
    close(fd);
  }

  int gate[2];
  if (pipe2(gate, O_CLOEXEC) < 0) fail("pipe");
  pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    char c;
    close(gate[1]);
    while (read(gate[0], &c, 1) < 0 && errno == EINTR) {}
    if (do_setsid && setsid() < 0) fail("setsid");
    execvp(argv[optind], argv + optind);
    fail("exec %s", argv[optind]);
  }
  close(gate[0]);
  dprintf(SYNC_FD, "pid %d\n", child);
  close(gate[1]);
  if (!do_wait) return 0;

  close(SYNC_FD);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return 255;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
