/*
 * seccomp-agent: a seccomp agent for conform's SCMP_ACT_NOTIFY cases (harness/process/seccomp-agent.ts).
 *
 * Why a C program: the runtime sends the filter's listener fd with SCM_RIGHTS, which
 * Node's net module cannot receive, and answering notifications takes ioctls.
 *
 * Usage: seccomp-agent SOCKET EVENTS STATE ERRNO
 *   Listens on the unix stream socket SOCKET (bound under a temporary name and renamed
 *   into place once listening), accepts one connection, and appends every byte it
 *   carries to the file STATE (the container process state). The first fd that comes
 *   with SCM_RIGHTS is taken as the seccomp listener: each notification on it is
 *   answered with the error ERRNO (a positive errno number), until every process using
 *   the filter is gone.
 *
 * EVENTS gets one line per step (each written with a single write):
 *   listening
 *   fd link=TEXT at=N    an fd arrived; TEXT is its /proc/self/fd link ("anon_inode:seccomp notify"),
 *                        N the bytes of the connection received before the message it came with
 *   extra-fd             another fd arrived (it is closed)
 *   closed               the runtime closed the connection (end of file on it)
 *   connection N         another connection was made to SOCKET (N counts them; only the first is read)
 *   notif nr=N pid=P     a notification: system call number N by process P
 *   answered             it was answered with -ERRNO
 *   hangup               no process uses the filter any more
 *   error TEXT           a step failed; the program exits 1
 */
#define _GNU_SOURCE
#include "listener.h"
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

static void append(int out, const char *buf, ssize_t len) {
  while (len > 0) {
    ssize_t n = write(out, buf, (size_t)len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("write STATE");
    buf += n;
    len -= n;
  }
}

static long long received; /* bytes of the connection read so far */

/* Reads what is there on the connection (with any fd); returns the bytes read, 0 at end of file. */
static ssize_t receive(int conn, int out, int *fd) {
  char buf[65536];
  int fds[4], nfds;
  ssize_t n = recv_fds(conn, buf, sizeof buf, fds, &nfds);
  append(out, buf, n);
  long long before = received;
  received += n;
  for (int i = 0; i < nfds; i++) {
    if (*fd >= 0) {
      event("extra-fd");
      close(fds[i]);
      continue;
    }
    *fd = fds[i];
    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
    ssize_t l = readlink(path, link, sizeof link - 1);
    link[l < 0 ? 0 : l] = '\0';
    event("fd link=%s at=%lld", link, before);
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: seccomp-agent SOCKET EVENTS STATE ERRNO\n");
    return 2;
  }
  const char *path = argv[1];
  open_events(argv[2]);
  int out = open_output(argv[3], "open STATE");
  int answer = atoi(argv[4]);

  int sock = listen_at(path, 4);

  int conn = accept_one(sock);

  struct seccomp_notif_sizes sizes;
  if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) die("SECCOMP_GET_NOTIF_SIZES");
  struct seccomp_notif *req = calloc(1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
  if (!req || !resp) die("calloc");

  int listener = -1, connections = 1;
  for (;;) {
    struct pollfd p[3] = { { .fd = conn, .events = POLLIN }, { .fd = listener, .events = POLLIN }, { .fd = sock, .events = POLLIN } };
    if (poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (p[0].revents) {
      if (receive(conn, out, &listener) == 0) {
        event("closed");
        close(conn);
        conn = -1;
      }
    }
    if (p[2].revents & POLLIN) {
      int extra = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
      if (extra >= 0) {
        event("connection %d", ++connections);
        close(extra);
      }
    }
    if (listener >= 0 && (p[1].revents & POLLIN)) {
      memset(req, 0, sizes.seccomp_notif);
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
        if (errno == EINTR || errno == ENOENT) continue; /* the caller went away meanwhile */
        die("SECCOMP_IOCTL_NOTIF_RECV");
      }
      event("notif nr=%d pid=%u", req->data.nr, req->pid);
      memset(resp, 0, sizes.seccomp_notif_resp);
      resp->id = req->id;
      resp->error = -answer;
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT) die("SECCOMP_IOCTL_NOTIF_SEND");
      event("answered");
    }
    if (listener >= 0 && (p[1].revents & (POLLHUP | POLLERR))) {
      event("hangup");
      return 0;
    }
  }
}
