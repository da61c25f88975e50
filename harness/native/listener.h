/*
 * Shared by the harness's socket helpers (console-receiver.c, seccomp-agent.c): the
 * EVENTS file, one line per step written with a single write, and a unix stream
 * socket that listens under a temporary name and is renamed into place, so that the
 * socket's path existing means a connect will succeed.
 */
#ifndef CONFORM_LISTENER_H
#define CONFORM_LISTENER_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "line.h"

static int events = -1;

/* One line to the EVENTS file. */
#define event(...) write_line(events, __VA_ARGS__)

static void die(const char *what) {
  event("error %s: %s", what, strerror(errno));
  exit(1);
}

/* Opens the EVENTS file (exits 1 with perror if it cannot). */
static void open_events(const char *path) {
  events = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (events < 0) {
    perror(path);
    exit(1);
  }
}

/* Opens an output file for appending (exits 1 with an event naming `what` if it cannot). */
static int open_output(const char *path, const char *what) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) die(what);
  return fd;
}

/* Listens at `path` (bound as `path`.tmp, then renamed), reports "listening", returns the socket. */
static int listen_at(const char *path, int backlog) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char tmp[sizeof addr.sun_path];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    die("socket path");
  }
  strcpy(addr.sun_path, tmp);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die("socket");
  unlink(tmp);
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(sock, backlog) < 0) die("listen");
  if (rename(tmp, path) < 0) die("rename");
  event("listening");
  return sock;
}

/*
 * recvmsg of what is there on `conn` into buf (at most len bytes), with up to four fds
 * passed by SCM_RIGHTS into fds (their number in *nfds; any beyond four are closed).
 * Returns the bytes read, 0 at end of file; exits 1 on an error.
 */
static ssize_t recv_fds(int conn, char *buf, size_t len, int fds[4], int *nfds) {
  char control[CMSG_SPACE(sizeof(int) * 8)];
  struct iovec iov = { .iov_base = buf, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  ssize_t n;
  do n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) die("recvmsg");
  *nfds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < count; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (*nfds < 4) fds[(*nfds)++] = fd;
      else close(fd);
    }
  }
  return n;
}

/* accept4, retried on EINTR. */
static int accept_one(int sock) {
  int conn;
  do conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0) die("accept");
  return conn;
}

#endif
