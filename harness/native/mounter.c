/*
 * mounter: mounts and unmounts the cases' rootfs overlays for one conform run, over a
 * pipe. Every case mounts one overlay and unmounts it at cleanup; as mount(8) and
 * umount(8) processes that cost ~20 ms each on a small VM (the syscalls: under 1 ms).
 *
 * Requests on stdin, each field ended by a NUL byte:
 *   tmpfs TARGET                    a tmpfs at TARGET, for the overlays' upper layers:
 *                                   overlayfs mounts in ~0.06 ms with its upper and
 *                                   work directories there, ~1.9 ms on this VM's ext4
 *                                   (it tests the upper filesystem at every mount)
 *   mount LOWER UPPER WORK TARGET   an overlay of LOWER at TARGET
 *   umount TARGET                   unmounts it (detached when it is busy)
 * One answer line on stdout per request, in order: 0, or the errno of the failure.
 * Exits 0 at the end of stdin (conform closes it, or conform died).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

/** The next NUL-ended field of stdin into *buf; 0 at the end of input. */
static int field(char **buf, size_t *cap) {
  return getdelim(buf, cap, '\0', stdin) > 0;
}

int main(void) {
  char *op = NULL, *a = NULL, *b = NULL, *c = NULL, *target = NULL;
  size_t nop = 0, na = 0, nb = 0, nc = 0, nt = 0;
  while (field(&op, &nop)) {
    int err = 0;
    if (strcmp(op, "mount") == 0) {
      if (!field(&a, &na) || !field(&b, &nb) || !field(&c, &nc) || !field(&target, &nt)) return 2;
      size_t len = strlen(a) + strlen(b) + strlen(c) + 40;
      char *data = malloc(len);
      if (!data) return 2;
      snprintf(data, len, "lowerdir=%s,upperdir=%s,workdir=%s", a, b, c);
      if (mount("overlay", target, "overlay", 0, data) < 0) err = errno;
      free(data);
    } else if (strcmp(op, "tmpfs") == 0) {
      if (!field(&target, &nt)) return 2;
      if (mount("conform-layers", target, "tmpfs", 0, "mode=0711") < 0) err = errno;
    } else if (strcmp(op, "umount") == 0) {
      if (!field(&target, &nt)) return 2;
      if (umount2(target, 0) < 0) err = errno == EBUSY && umount2(target, MNT_DETACH) == 0 ? 0 : errno;
    } else {
      fprintf(stderr, "mounter: unknown request %s\n", op);
      return 2;
    }
    printf("%d\n", err);
    fflush(stdout);
  }
  return 0;
}
