// The reference runtime's door to libc (runtime/syscalls-libc.ts): a Node-API addon with
// one function per libc call the runtime makes (and per syscall glibc has no wrapper for),
// called by name. It replaces a general foreign-function library (koffi), whose loading
// and per-call prototype parsing cost every runtime call that makes a syscall ~3 ms of
// CPU; this one loads in ~0.3 ms.
//
// From JavaScript:
//   call(name, ...args)  the libc function `name` (the table below); its result, -1 and
//                        errno() on failure
//   errno()              errno as the last call left it
//   address(typedArray)  where the array's bytes are, as a BigInt (for structs that
//                        point to other buffers; the caller keeps those alive)
// Arguments: a number or a BigInt is an integer (BigInts keep all 64 bits), a string a
// NUL-terminated copy, a Buffer or typed array a pointer to its bytes, an array of
// strings a NULL-terminated char **, null or undefined a null pointer / 0. Each wrapper
// casts to the types its function declares, as a C caller would.
//
// Node-API is a stable C ABI, and Node exports its symbols: the few declarations this
// needs are written out below, so that no Node headers are needed to compile it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- Node-API (js_native_api.h), the part used here ----
typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status; // napi_ok is 0
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);
typedef enum {
  napi_undefined,
  napi_null,
  napi_boolean,
  napi_number,
  napi_string,
  napi_symbol,
  napi_object,
  napi_function,
  napi_external,
  napi_bigint,
} napi_valuetype;
typedef int napi_typedarray_type;
napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, napi_value *this_arg, void **data);
napi_status napi_typeof(napi_env env, napi_value value, napi_valuetype *result);
napi_status napi_get_value_int64(napi_env env, napi_value value, int64_t *result);
napi_status napi_get_value_bool(napi_env env, napi_value value, bool *result);
napi_status napi_get_value_bigint_uint64(napi_env env, napi_value value, uint64_t *result, bool *lossless);
napi_status napi_get_value_string_utf8(napi_env env, napi_value value, char *buf, size_t bufsize, size_t *result);
napi_status napi_is_typedarray(napi_env env, napi_value value, bool *result);
napi_status napi_get_typedarray_info(napi_env env, napi_value typedarray, napi_typedarray_type *type, size_t *length, void **data,
                                     napi_value *arraybuffer, size_t *byte_offset);
napi_status napi_is_array(napi_env env, napi_value value, bool *result);
napi_status napi_get_array_length(napi_env env, napi_value value, uint32_t *result);
napi_status napi_get_element(napi_env env, napi_value object, uint32_t index, napi_value *result);
napi_status napi_create_int64(napi_env env, int64_t value, napi_value *result);
napi_status napi_create_bigint_uint64(napi_env env, uint64_t value, napi_value *result);
napi_status napi_create_function(napi_env env, const char *utf8name, size_t length, napi_callback cb, void *data, napi_value *result);
napi_status napi_set_named_property(napi_env env, napi_value object, const char *utf8name, napi_value value);
napi_status napi_throw_type_error(napi_env env, const char *code, const char *msg);

// ---- the calls ----
typedef long A[7];

// posix_spawn with every signal's disposition reset to the default and none blocked, as
// child_process does. Every bit set, not sigfillset's set: that leaves out glibc's own
// signals (32, 33), which the child would then keep ignored across the exec.
static long spawn(const char *path, char **argv, char **envp) {
  posix_spawnattr_t attr;
  sigset_t all, none;
  pid_t pid;
  memset(&all, 0xff, sizeof all);
  sigemptyset(&none);
  int r = posix_spawnattr_init(&attr);
  if (r == 0) {
    r = posix_spawnattr_setsigdefault(&attr, &all);
    if (r == 0) r = posix_spawnattr_setsigmask(&attr, &none);
    if (r == 0) r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (r == 0) r = posix_spawn(&pid, path, NULL, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
  }
  if (r != 0) {
    errno = r; // these return the error number rather than -1 and errno
    return -1;
  }
  return pid;
}

static void exit_with_signal_number(int sig) { _exit(sig); }

#define P(i) ((void *)a[i])
#define S(i) ((const char *)a[i])
#define I(i) ((int)a[i])
#define U(i) ((unsigned)a[i])

static long c_mount(A a) { return mount(S(0), S(1), S(2), (unsigned long)a[3], P(4)); }
static long c_umount2(A a) { return umount2(S(0), I(1)); }
static long c_mkdirat(A a) { return mkdirat(I(0), S(1), U(2)); }
static long c_mknodat(A a) { return mknodat(I(0), S(1), U(2), (dev_t)a[3]); }
static long c_mknod(A a) { return mknod(S(0), U(1), (dev_t)a[2]); }
static long c_mkfifo(A a) { return mkfifo(S(0), U(1)); }
static long c_fchownat(A a) { return fchownat(I(0), S(1), U(2), U(3), I(4)); }
static long c_symlinkat(A a) { return symlinkat(S(0), I(1), S(2)); }
static long c_readlinkat(A a) { return readlinkat(I(0), S(1), P(2), (size_t)a[3]); }
static long c_unlinkat(A a) { return unlinkat(I(0), S(1), I(2)); }
static long c_statfs(A a) { return statfs(S(0), P(1)); }
static long c_chdir(A a) { return chdir(S(0)); }
static long c_fchdir(A a) { return fchdir(I(0)); }
static long c_chroot(A a) { return chroot(S(0)); }
static long c_unshare(A a) { return unshare(I(0)); }
static long c_setns(A a) { return setns(I(0), I(1)); }
static long c_sethostname(A a) { return sethostname(S(0), (size_t)a[1]); }
static long c_setdomainname(A a) { return setdomainname(S(0), (size_t)a[1]); }
static long c_prlimit(A a) { return prlimit(I(0), I(1), P(2), P(3)); }
static long c_prctl(A a) { return prctl(I(0), (unsigned long)a[1], (unsigned long)a[2], (unsigned long)a[3], (unsigned long)a[4]); }
// glibc has no header for these (libcap's has); the kernel's calls, as glibc's wrappers make them.
static long c_capset(A a) { return syscall(SYS_capset, P(0), P(1)); }
static long c_capget(A a) { return syscall(SYS_capget, P(0), P(1)); }
static long c_setresuid(A a) { return setresuid(U(0), U(1), U(2)); }
static long c_setresgid(A a) { return setresgid(U(0), U(1), U(2)); }
static long c_setgroups(A a) { return setgroups((size_t)a[0], P(1)); }
static long c_umask(A a) { return umask(U(0)); }
static long c_fcntl(A a) { return fcntl(I(0), I(1), I(2)); }
static long c_dup2(A a) { return dup2(I(0), I(1)); }
static long c_dup3(A a) { return dup3(I(0), I(1), I(2)); }
static long c_flock(A a) { return flock(I(0), I(1)); }
static long c_sigprocmask(A a) { return sigprocmask(I(0), P(1), P(2)); }
static long c_personality(A a) { return personality((unsigned long)a[0]); }
static long c_sched_setaffinity(A a) { return sched_setaffinity(I(0), (size_t)a[1], P(2)); }
static long c_ioctl(A a) { return ioctl(I(0), (unsigned long)a[1], P(2)); }
static long c_socket(A a) { return socket(I(0), I(1), I(2)); }
static long c_socketpair(A a) { return socketpair(I(0), I(1), I(2), P(3)); }
static long c_send(A a) { return send(I(0), P(1), (size_t)a[2], I(3)); }
static long c_recv(A a) { return recv(I(0), P(1), (size_t)a[2], I(3)); }
static long c_sendmsg(A a) { return sendmsg(I(0), P(1), I(2)); }
static long c_recvmsg(A a) { return recvmsg(I(0), P(1), I(2)); }
static long c_execve(A a) { return execve(S(0), P(1), P(2)); }
static long c_getpid(A a) { return getpid(); }
static long c_waitpid(A a) { return waitpid(I(0), P(1), I(2)); }
static long c_posix_spawn(A a) { return spawn(S(0), P(1), P(2)); }
static long c_syscall(A a) { return syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]); }
static long c_reset_signal(A a) { return signal(I(0), SIG_DFL) == SIG_ERR ? -1 : 0; }
static long c_exit_on_signal(A a) { return signal(I(0), exit_with_signal_number) == SIG_ERR ? -1 : 0; }
static long c__exit(A a) { _exit(I(0)); }

// Calls glibc 2.36 has no wrapper for, through syscall(2) with their numbers from
// <sys/syscall.h>; the arguments as given.
#define RAW(n) \
  static long c_##n(A a) { return syscall(SYS_##n, a[0], a[1], a[2], a[3], a[4], a[5]); }
RAW(pivot_root)
RAW(openat2)
RAW(fsopen)
RAW(fsconfig)
RAW(fsmount)
RAW(bpf)
RAW(set_mempolicy)
RAW(ioprio_set)
RAW(sched_setattr)
RAW(seccomp)
RAW(pidfd_send_signal)
RAW(pidfd_open)
RAW(pidfd_getfd)
RAW(mount_setattr)
RAW(open_tree)
RAW(move_mount)

static const struct {
  const char *name;
  long (*fn)(A);
} CALLS[] = {
#define C(n) {#n, c_##n}
    C(mount), C(umount2), C(mkdirat), C(mknodat), C(mknod), C(mkfifo), C(fchownat), C(symlinkat),
    C(readlinkat), C(unlinkat), C(statfs), C(chdir), C(fchdir), C(chroot), C(unshare), C(setns),
    C(sethostname), C(setdomainname), C(prlimit), C(prctl), C(capset), C(capget), C(setresuid),
    C(setresgid), C(setgroups), C(umask), C(fcntl), C(dup2), C(dup3), C(flock), C(sigprocmask),
    C(personality), C(sched_setaffinity), C(ioctl), C(socket), C(socketpair), C(send), C(recv),
    C(sendmsg), C(recvmsg), C(execve), C(getpid), C(waitpid), C(posix_spawn), C(syscall),
    C(reset_signal), C(exit_on_signal), C(_exit), C(pivot_root), C(openat2), C(fsopen), C(fsconfig),
    C(fsmount), C(bpf), C(set_mempolicy), C(ioprio_set), C(sched_setattr), C(seccomp),
    C(pidfd_send_signal), C(pidfd_open), C(pidfd_getfd), C(mount_setattr), C(open_tree),
    C(move_mount),
#undef C
};

static int last_errno;

// ---- marshalling ----
#define MAX_ARGS 7

struct held {
  void *p[MAX_ARGS * 2];
  int n;
};

static void *hold(struct held *h, void *p) {
  if (p) h->p[h->n++] = p;
  return p;
}

static char *string_copy(napi_env env, napi_value v) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != 0) return NULL;
  char *s = malloc(len + 1);
  if (s && napi_get_value_string_utf8(env, v, s, len + 1, &len) != 0) {
    free(s);
    return NULL;
  }
  return s;
}

// An array of strings as a NULL-terminated char **, in one allocation with its strings.
// Each element is read once (an element with a getter could answer differently twice), and
// each string is copied into exactly the room its length asked for.
static char **string_array(napi_env env, napi_value v) {
  uint32_t n;
  if (napi_get_array_length(env, v, &n) != 0) return NULL;
  napi_value *elements = malloc((n + 1) * sizeof(napi_value));
  size_t *lengths = malloc((n + 1) * sizeof(size_t));
  char **out = NULL;
  if (!elements || !lengths) goto done;
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_valuetype t;
    if (napi_get_element(env, v, i, &elements[i]) != 0 || napi_typeof(env, elements[i], &t) != 0 || t != napi_string) goto done;
    if (napi_get_value_string_utf8(env, elements[i], NULL, 0, &lengths[i]) != 0) goto done;
    total += lengths[i] + 1;
  }
  out = malloc((n + 1) * sizeof(char *) + total);
  if (!out) goto done;
  char *at = (char *)(out + n + 1);
  for (uint32_t i = 0; i < n; i++) {
    size_t len;
    napi_get_value_string_utf8(env, elements[i], at, lengths[i] + 1, &len);
    out[i] = at;
    at += lengths[i] + 1;
  }
  out[n] = NULL;
done:
  free(elements);
  free(lengths);
  return out;
}

// One argument as a long; false (and a pending TypeError) for one it cannot pass.
static bool marshal(napi_env env, napi_value v, long *out, struct held *h) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != 0) return false;
  switch (t) {
  case napi_undefined:
  case napi_null:
    *out = 0;
    return true;
  case napi_boolean: {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b;
    return true;
  }
  case napi_number: {
    int64_t i;
    napi_get_value_int64(env, v, &i);
    *out = (long)i;
    return true;
  }
  case napi_bigint: {
    uint64_t u;
    bool lossless;
    napi_get_value_bigint_uint64(env, v, &u, &lossless);
    *out = (long)u;
    return true;
  }
  case napi_string: {
    char *s = hold(h, string_copy(env, v));
    if (!s) break;
    *out = (long)s;
    return true;
  }
  case napi_object: {
    bool is;
    if (napi_is_typedarray(env, v, &is) == 0 && is) {
      void *data;
      size_t length;
      napi_typedarray_type type;
      if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != 0) break;
      *out = (long)data;
      return true;
    }
    if (napi_is_array(env, v, &is) == 0 && is) {
      char **arr = hold(h, string_array(env, v));
      if (!arr) break;
      *out = (long)arr;
      return true;
    }
    break;
  }
  default:
    break;
  }
  napi_throw_type_error(env, NULL, "syscalls: an argument must be a number, a BigInt, a string, a typed array, an array of strings or null");
  return false;
}

static napi_value js_call(napi_env env, napi_callback_info info) {
  size_t argc = MAX_ARGS + 1;
  napi_value argv[MAX_ARGS + 1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[32];
  size_t len;
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != 0 || t != napi_string ||
      napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != 0) {
    napi_throw_type_error(env, NULL, "syscalls: call(name, ...args) needs a function's name");
    return NULL;
  }
  long (*fn)(A) = NULL;
  for (size_t i = 0; i < sizeof CALLS / sizeof CALLS[0]; i++)
    if (strcmp(CALLS[i].name, name) == 0) fn = CALLS[i].fn;
  if (!fn) {
    napi_throw_type_error(env, NULL, "syscalls: no such function");
    return NULL;
  }
  if (argc > MAX_ARGS + 1) argc = MAX_ARGS + 1;
  A a = {0};
  struct held h = {.n = 0};
  bool ok = true;
  for (size_t i = 1; i < argc && ok; i++) ok = marshal(env, argv[i], &a[i - 1], &h);
  long r = 0;
  if (ok) {
    errno = 0;
    r = fn(a);
    last_errno = errno;
  }
  for (int i = 0; i < h.n; i++) free(h.p[i]);
  if (!ok) return NULL;
  napi_value out;
  napi_create_int64(env, r, &out);
  return out;
}

static napi_value js_errno(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_int64(env, last_errno, &out);
  return out;
}

static napi_value js_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  bool is = false;
  void *data;
  size_t length;
  napi_typedarray_type type;
  if (argc < 1 || napi_is_typedarray(env, arg, &is) != 0 || !is || napi_get_typedarray_info(env, arg, &type, &length, &data, NULL, NULL) != 0) {
    napi_throw_type_error(env, NULL, "syscalls: address() needs a typed array");
    return NULL;
  }
  napi_value out;
  napi_create_bigint_uint64(env, (uint64_t)(uintptr_t)data, &out);
  return out;
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {{"call", js_call}, {"errno", js_errno}, {"address", js_address}};
  for (size_t i = 0; i < 3; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, strlen(fns[i].name), fns[i].cb, NULL, &f) != 0) return NULL;
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
