/*
 * Shared by the harness's helpers that report to conform in lines (listener.h's EVENTS
 * file, the reaper's control channel): each line goes out in a single write, so that a
 * reader never sees half of one.
 */
#ifndef CONFORM_LINE_H
#define CONFORM_LINE_H
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Writes printf's fmt and what follows to fd as one line, 599 bytes at most with its newline. */
__attribute__((format(printf, 2, 3))) static void write_line(int fd, const char *fmt, ...) {
  char line[600];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  if (write(fd, line, n) < 0) { /* the reader is gone: nobody to tell */ }
}

#endif
