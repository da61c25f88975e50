/*
 * console-receiver: the caller's end of runc's `--console-socket` convention, for
 * conform's terminal cases (harness/process/console-receiver.ts).
 *
 * Why a C program: the runtime hands over the pty master with SCM_RIGHTS, which
 * Node's net module cannot receive; and the master has to stay open and be read
 * for as long as the container runs (closing it hangs the terminal up), which a
 * small process does without blocking the harness's event loop.
 *
 * Usage: console-receiver SOCKET OUTPUT EVENTS [INPUT]
 *   Listens on the unix stream socket SOCKET (bound under a temporary name and
 *   renamed into place once listening, so that SOCKET existing means a connect
 *   will succeed), accepts one connection, receives one fd with SCM_RIGHTS, writes
 *   the contents of the file INPUT (if given) to it, then appends everything read
 *   from it to OUTPUT until the slave side hangs up (EIO) or the end of file.
 *
 * EVENTS gets one line per step (each written with a single write):
 *   listening
 *   fd ptn=N name=TEXT   an fd arrived; N is its pty number (TIOCGPTN), -1 when
 *                        it is not a pty master; TEXT is the message's payload
 *                        (runc sends the tty's name), non-printable bytes as '?'
 *   nofd                 the connection ended without an fd
 *   hangup               the slave side hung up (or end of file)
 *   error TEXT           a step failed; the program exits 1
 */
#define _GNU_SOURCE
#include "listener.h"
#include <sys/ioctl.h>

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Receives one message; returns the fd it carried, or -1 (payload in name). */
static int receive_fd(int conn, char *name, size_t namelen) {
  int fds[4], nfds;
  ssize_t n = recv_fds(conn, name, namelen - 1, fds, &nfds);
  name[n] = '\0';
  for (ssize_t i = 0; i < n; i++)
    if (name[i] < 0x21 || name[i] > 0x7e) name[i] = '?';
  for (int i = 1; i < nfds; i++) close(fds[i]);
  return nfds > 0 ? fds[0] : -1;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: console-receiver SOCKET OUTPUT EVENTS [INPUT]\n");
    return 2;
  }
  const char *path = argv[1];
  open_events(argv[3]);
  int out = open_output(argv[2], "open OUTPUT");

  int sock = listen_at(path, 1);

  int conn = accept_one(sock);
  close(sock);

  char name[256];
  int master = receive_fd(conn, name, sizeof name);
  close(conn);
  if (master < 0) {
    event("nofd");
    return 1;
  }
  unsigned int ptn;
  int pty = ioctl(master, TIOCGPTN, &ptn) == 0 ? (int)ptn : -1;
  event("fd ptn=%d name=%s", pty, name);

  if (argc == 5) {
    int in = open(argv[4], O_RDONLY | O_CLOEXEC);
    if (in < 0) die("open INPUT");
    char buf[4096];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
      if (write_all(master, buf, (size_t)n) < 0) die("write to the master");
    if (n < 0) die("read INPUT");
    close(in);
  }

  char buf[8192];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    // EIO: every slave fd is closed (Linux returns what was buffered first).
    if (n == 0 || (n < 0 && errno == EIO)) break;
    if (n < 0) die("read from the master");
    if (write_all(out, buf, (size_t)n) < 0) die("write OUTPUT");
  }
  event("hangup");
  return 0;
}
