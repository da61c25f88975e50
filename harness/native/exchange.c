/*
 * exchange: swaps two paths again and again with renameat2(RENAME_EXCHANGE), for the
 * security suite's race on mount destinations (a rootfs entry that is a directory one
 * moment and a symlink out of the rootfs the next, while the runtime creates the
 * container). Why a C program: Node has no renameat2.
 *
 * Usage: exchange A B SECONDS
 *   Swaps A and B until SIGTERM or SECONDS have passed, leaving them as they were at
 *   the start (an even number of swaps); prints the number of swaps; exit 0 (1 with a
 *   message when a swap fails).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: exchange A B SECONDS\n");
    return 2;
  }
  signal(SIGTERM, on_term);
  time_t end = time(NULL) + atoi(argv[3]);
  unsigned long swaps = 0;
  while ((!stop && time(NULL) < end) || swaps % 2) {
    if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
      fprintf(stderr, "exchange: renameat2 %s %s: %s\n", argv[1], argv[2], strerror(errno));
      return 1;
    }
    swaps++;
  }
  printf("%lu\n", swaps);
  return 0;
}
