#!/usr/bin/env bash
# The crun lane: runs conform against crun on this kind of host, and always puts the
# host back as it was.
#
# crun 1.8.1 (Debian) refuses a hybrid cgroup host whose cgroup2 mount has controllers
# ("cgroups in hybrid mode not supported"). Here cgroup2 has exactly one, hugetlb.
# Mounting a v1 hierarchy for hugetlb (the usual systemd hybrid layout) takes it out of
# cgroup2, and crun then runs directly, its cgroups included; unmounting it once no
# cgroup is left under it gives hugetlb back to cgroup2. That changes the host for every
# runtime, so the lane holds the machine lock the whole time, refuses to start unless a
# trial mount and unmount gives hugetlb back, and restores the host on every exit.
#
#   scripts/crun-lane.sh [conform options…]     e.g. --expect baselines/crun.json --json out.json
#
# Environment: CRUN (the binary, default: crun on PATH), CONFORM_LOCK (default
# /work/.fullrun.lock, else /run/lock/conform-fullrun.lock; the lane takes it unless an
# ancestor process already holds it, e.g. `flock /work/.fullrun.lock npm test`).
# Exit: conform's exit code; 2 when the host cannot be set up or restored.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lock=${CONFORM_LOCK:-/work/.fullrun.lock}
# A machine without /work (a CI clone elsewhere) still gets a machine-wide lock.
[ -d "$(dirname "$lock")" ] || lock=/run/lock/conform-fullrun.lock
crun=${CRUN:-$(command -v crun || true)}
cg=/sys/fs/cgroup
mnt=$cg/hugetlb
unified=$cg/unified

say() { echo "crun lane: $*" >&2; }
die() { say "$*"; exit 2; }

[ "$(id -u)" = 0 ] || die "needs root"
[ -n "$crun" ] && [ -x "$crun" ] || die "crun not found (apt-get install crun, or set CRUN)"

# --- the machine lock --------------------------------------------------------
# flock(1) on the lock file, unless an ancestor (e.g. `flock LOCK npm test`) holds it:
# taking it again would wait for ourselves.
held_by_ancestor() {
  [ -e "$lock" ] || return 1
  local id holders pid
  id=$(stat -c '%D:%i' "$lock")
  id=$(printf '%02x:%02x:%s' $((0x${id%%:*} >> 8)) $((0x${id%%:*} & 0xff)) "${id#*:}")
  holders=$(awk -v id="$id" '$2 == "FLOCK" && $6 == id { print $5 }' /proc/locks)
  pid=$$
  while [ "$pid" -gt 1 ]; do
    for h in $holders; do [ "$h" = "$pid" ] && return 0; done
    # The parent pid is the second field after the command name, which may hold spaces
    # and parentheses (npm names itself "npm test"): read from the last ')'.
    pid=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $2 }')
    [ -n "$pid" ] || pid=1
  done
  return 1
}
if ! held_by_ancestor; then
  exec 9>>"$lock"
  say "waiting for $lock"
  flock 9
fi

hugetlb_in_v2() { grep -qw hugetlb "$unified/cgroup.controllers" 2>/dev/null; }
v1_hugetlb_mounted() { awk '$9 == "cgroup" && $NF ~ /(^|,)hugetlb(,|$)/ { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# --- what the host is now: only this layout is changed ---------------------------------
needs_change=0
if [ "$(stat -f -c %T "$cg")" = cgroup2fs ]; then
  say "pure cgroup v2 host: nothing to change"
elif ! hugetlb_in_v2 && awk '$1 == "hugetlb" && $2 != 0 { f = 1 } END { exit !f }' /proc/cgroups && ! v1_hugetlb_mounted; then
  # An earlier lane could not finish putting the host back: finish it first.
  say "a v1 hugetlb hierarchy outlives an earlier mount: putting hugetlb back in cgroup2 first"
  repair=1
  needs_change=1
elif hugetlb_in_v2; then
  needs_change=1
  [ ! -e "$mnt" ] || die "$mnt exists already: not this lane's to change"
  v1_hugetlb_mounted && die "a v1 hugetlb hierarchy is mounted already: not this lane's to change"
  [ "$(cat "$unified/cgroup.controllers")" = hugetlb ] || die "cgroup2 at $unified has controllers besides hugetlb ($(cat "$unified/cgroup.controllers")): this lane does not know how to make crun run here"
else
  say "cgroup2 has no controllers: crun runs as it is"
fi

# Puts hugetlb back in cgroup2. The kernel frees the v1 hierarchy only when it is
# unmounted with no cgroup in it; one created in between (any runtime on the host
# makes one per container while the hierarchy is mounted) keeps it alive, unmounted, and
# hugetlb out of cgroup2. So: mounted (again, if need be), emptied of the cgroups left
# in it (deepest first; only this lane's mount made them possible: it did not exist
# before), unmounted the moment it is empty, until hugetlb is back or the deadline
# passes (then it stays mounted, so that running the lane again can finish the job).
restore() {
  local deadline=$((SECONDS + ${CONFORM_LANE_WAIT:-120}))
  until hugetlb_in_v2; do
    if [ $SECONDS -ge $deadline ]; then
      say "hugetlb is not back in cgroup2 at $unified; cgroups still in use under $mnt (it stays mounted; run this lane again once they are gone):"
      find "$mnt" -mindepth 1 -type d -exec sh -c 'echo "  $1: $(tr "\n" " " < "$1/cgroup.procs")"' _ {} \; >&2 2>/dev/null
      return 1
    fi
    [ -d "$mnt" ] || mkdir "$mnt"
    mountpoint -q "$mnt" || mount -t cgroup -o hugetlb none "$mnt" || { say "could not mount $mnt to empty it"; return 1; }
    find "$mnt" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null || true
    if [ -z "$(find "$mnt" -mindepth 1 -type d -print -quit)" ]; then
      umount "$mnt" && rmdir "$mnt"
      sleep 1
    else
      sleep 2
    fi
  done
  if [ -d "$mnt" ]; then mountpoint -q "$mnt" && umount "$mnt"; rmdir "$mnt"; fi
  return 0
}

# The kernel moves hugetlb to the v1 hierarchy only while no cgroup2 cgroup but the root
# uses it (EBUSY otherwise): with hugetlb in the root's subtree_control, every container
# of any runtime on the host has such a cgroup while it exists. Retries for a while.
setup() {
  mkdir "$mnt"
  local deadline=$((SECONDS + ${CONFORM_LANE_WAIT:-120}))
  until mount -t cgroup -o hugetlb none "$mnt" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      rmdir "$mnt"
      say "hugetlb stays in use in cgroup2: cgroups under $unified that have it: $(find "$unified" -mindepth 1 -name cgroup.controllers -exec grep -l hugetlb {} + 2>/dev/null | sed "s#$unified/##; s#/cgroup.controllers##" | tr '\n' ' ')"
      return 1
    fi
    sleep 2
  done
}

if [ "${repair:-0}" = 1 ]; then restore || die "could not put hugetlb back in cgroup2"; fi

status=0
if [ $needs_change = 1 ]; then
  # A trial first: refuse to change the host unless it can be put back.
  setup || die "could not mount a v1 hugetlb hierarchy at $mnt"
  restore || { say "the trial unmount did not give hugetlb back to cgroup2"; exit 2; }
  trap 'restore || exit 2' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  setup || die "could not mount a v1 hugetlb hierarchy at $mnt"
  say "mounted a v1 hugetlb hierarchy at $mnt (cgroup2 now has: $(cat "$unified/cgroup.controllers" | tr -d '\n' || true)); it is removed at exit"
fi

rc=0
"$root/bin/conform.js" --runtime "$crun" "$@" || rc=$?
if [ $needs_change = 1 ]; then
  trap - EXIT INT TERM HUP
  restore || status=2
  [ $status = 0 ] && say "host restored: cgroup2 has hugetlb again"
fi
[ $status = 0 ] || exit $status
exit $rc
