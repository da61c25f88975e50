#!/bin/sh
# conform's probe: run as the container's process (args: /bin/sh /conform/probe …),
# it prints raw facts about itself in sections; all parsing happens on the host
# (harness/probe/parse.ts). It reads /proc/$$ rather than /proc/self so that the
# facts are the container process's own, not those of a forked helper. Each program
# it runs is a fork and exec: one `ls -l` reads all the links of a directory (without
# a redirection, which would have the shell keep a copy of the fd it redirects).
#
#   /conform/probe [--only s1,s2] [--cmd NAME SHELLCODE]… [--hold] [-- ignored…]
#
# --cmd runs SHELLCODE in a subshell and records its output and exit status.
# --hold prints @@ready after the facts and waits for a signal, reporting it.

only=""
hold=""
cmds=""
n=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=",$2,"; shift 2 ;;
    --cmd) n=$((n + 1)); eval "cmd_name_$n=\$2; cmd_code_$n=\$3"; shift 3 ;;
    --hold) hold=1; shift ;;
    --) break ;;
    *) shift ;;
  esac
done

want() { [ -z "$only" ] || case "$only" in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
section() { echo; echo "@@section $1"; }
hex() { od -An -v -tx1 "$1" 2>&1; }

echo "@@conform-probe 1"
if want meta; then section meta; echo "pid=$$"; fi
if want cmdline; then section cmdline; hex /proc/$$/cmdline; fi
if want environ; then section environ; hex /proc/$$/environ; fi
if want status; then section status; cat /proc/$$/status 2>&1; fi
if want limits; then section limits; cat /proc/$$/limits 2>&1; fi
if want cwd; then section cwd; readlink /proc/$$/cwd 2>&1 || pwd; fi
if want oom; then section oom; cat /proc/$$/oom_score_adj 2>&1; fi
if want ns; then section ns; ls -l /proc/$$/ns/; fi
if want uts; then section uts; echo "hostname=$(uname -n)"; echo "domainname=$(cat /proc/sys/kernel/domainname 2>&1)"; fi
if want idmap; then section idmap; for m in uid_map gid_map setgroups; do echo "# $m"; cat /proc/$$/$m 2>&1; done; fi
if want fds; then section fds; ls -l /proc/$$/fd/; fi
if want cgroup; then section cgroup; cat /proc/$$/cgroup 2>&1; fi
if want mountinfo; then section mountinfo; cat /proc/$$/mountinfo 2>&1; fi
if want dev; then
  section dev
  # name|raw mode (hex)|major (hex)|minor (hex)|uid|gid|name -> target
  find /dev -maxdepth 2 -exec stat -c '%n|%f|%t|%T|%u|%g|%N' {} + 2>&1
fi

i=1
while [ "$i" -le "$n" ]; do
  eval "name=\$cmd_name_$i; code=\$cmd_code_$i"
  section "cmd:$name"
  (eval "$code") 2>&1
  rc=$?
  echo
  echo "@@rc $rc"
  i=$((i + 1))
done

if [ -n "$hold" ]; then
  # Traps first, then @@ready: whoever signals on @@ready must find them in place
  # (as PID 1 of a pid namespace, the shell would otherwise ignore the signal).
  for s in HUP INT QUIT USR1 USR2 TERM; do
    trap "echo; echo '@@signal $s'; kill \$sp 2>/dev/null; exit 0" $s
  done
  echo
  echo "@@ready"
  while :; do
    sleep 86400 &
    sp=$!
    wait $sp
  done
fi
echo
echo "@@done"
