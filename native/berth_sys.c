/*
 * berth_sys: the few Linux syscalls Node does not expose (mount, umount2,
 * mknod, the l*xattr family, statfs, a socket made inside a network
 * namespace, pipe2, dup, a SOCK_SEQPACKET connect and a reader for it,
 * lseek with SEEK_DATA / SEEK_HOLE, setting an inode flag (FS_IOC_SETFLAGS),
 * a splice(2) relay between two TCP
 * sockets, a sealed memfd copy of a file, and, off the main thread, spawning
 * a process and umount2; for the CLI's warm pool: a listening unix socket,
 * recvmsg with SCM_RIGHTS, dup2 and SO_PEERCRED).
 * Each function is a thin synchronous
 * wrapper: argument checking, one syscall, and errno turned into a JS Error
 * shaped like Node's own system errors (.code = "EPERM", .errno, .syscall,
 * .path), so callers handle it exactly like an fs error.
 *
 * Plain C against node_api.h (no node-addon-api) to keep the build to one
 * compiler invocation and no extra packages.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_ARGS 6

/* ---- error helpers ---------------------------------------------------- */

static const char *errno_name(int err) {
  const char *name = strerrorname_np(err);
  return name != NULL ? name : "EUNKNOWN";
}

/* Throws an Error like Node's: "EPERM: operation not permitted, mount '/x'". */
static void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char message[4200], description[256];
  snprintf(description, sizeof description, "%s", strerror(err));
  description[0] = (char)tolower((unsigned char)description[0]); /* as libuv words it */
  if (path != NULL) {
    snprintf(message, sizeof message, "%s: %s, %s '%s'", errno_name(err), description, syscall, path);
  } else {
    snprintf(message, sizeof message, "%s: %s, %s", errno_name(err), description, syscall);
  }
  napi_value code, msg, error, value;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, -err, &value);
  napi_set_named_property(env, error, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error, "syscall", value);
  if (path != NULL) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, error, "path", value);
  }
  napi_throw(env, error);
}

static void throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
}

/* ---- argument helpers --------------------------------------------------- */

static size_t get_args(napi_env env, napi_callback_info info, napi_value *argv) {
  size_t argc = MAX_ARGS;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (size_t i = argc; i < MAX_ARGS; i++) napi_get_undefined(env, &argv[i]);
  return argc;
}

static int is_nullish(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

/*
 * Copies a JS string into a malloc'd C string. Returns 0 and throws on a
 * wrong type; *out is NULL for null/undefined when `optional` is set.
 */
static int get_string(napi_env env, napi_value value, int optional, const char *what, char **out) {
  *out = NULL;
  if (optional && is_nullish(env, value)) return 1;
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a string", what);
    throw_type(env, message);
    return 0;
  }
  *out = malloc(length + 1);
  if (*out == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return 0;
  }
  napi_get_value_string_utf8(env, value, *out, length + 1, &length);
  return 1;
}

static int get_int64(napi_env env, napi_value value, const char *what, int64_t *out) {
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a number", what);
    throw_type(env, message);
    return 0;
  }
  return 1;
}

/* ---- mount -------------------------------------------------------------- */

struct mount_call {
  const char *source, *target, *fstype, *data, *cwd;
  unsigned long flags;
  int err;
  const char *failed_syscall;
};

static void do_mount(struct mount_call *call) {
  if (mount(call->source, call->target, call->fstype, call->flags, call->data) != 0) {
    call->err = errno;
    call->failed_syscall = "mount";
  }
}

/*
 * Runs on a private thread that has unshared its filesystem attributes
 * (CLONE_FS), so its chdir() does not move the cwd of Node's other threads
 * (the libuv pool may be resolving relative paths at this very moment).
 * The mount itself lands in the shared mount namespace as usual.
 */
static void *mount_in_cwd_thread(void *arg) {
  struct mount_call *call = arg;
  if (unshare(CLONE_FS) != 0) {
    call->err = errno;
    call->failed_syscall = "unshare";
  } else if (chdir(call->cwd) != 0) {
    call->err = errno;
    call->failed_syscall = "chdir";
  } else {
    do_mount(call);
  }
  return NULL;
}

/* mount(source, target, fstype, flags, data, cwd?) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  char *source = NULL, *target = NULL, *fstype = NULL, *data = NULL, *cwd = NULL;
  int64_t flags = 0;
  if (get_string(env, argv[0], 1, "source", &source) && get_string(env, argv[1], 0, "target", &target) &&
      get_string(env, argv[2], 1, "fstype", &fstype) && get_int64(env, argv[3], "flags", &flags) &&
      get_string(env, argv[4], 1, "data", &data) && get_string(env, argv[5], 1, "cwd", &cwd)) {
    struct mount_call call = {source, target, fstype, data, cwd, (unsigned long)flags, 0, NULL};
    if (cwd == NULL) {
      do_mount(&call);
    } else {
      pthread_t thread;
      int rc = pthread_create(&thread, NULL, mount_in_cwd_thread, &call);
      if (rc != 0) {
        call.err = rc;
        call.failed_syscall = "pthread_create";
      } else {
        pthread_join(thread, NULL);
      }
    }
    if (call.err != 0) throw_errno(env, call.err, call.failed_syscall, target);
  }
  free(source), free(target), free(fstype), free(data), free(cwd);
  return NULL;
}

/* umount2(target, flags) */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  char *target = NULL;
  int64_t flags = 0;
  if (get_string(env, argv[0], 0, "target", &target) && get_int64(env, argv[1], "flags", &flags)) {
    if (umount2(target, (int)flags) != 0) throw_errno(env, errno, "umount2", target);
  }
  free(target);
  return NULL;
}

/* ---- mknod -------------------------------------------------------------- */

/* mknod(path, mode, major, minor): mode includes the file type (S_IFCHR ...). */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  char *path = NULL;
  int64_t mode = 0, major_num = 0, minor_num = 0;
  if (get_string(env, argv[0], 0, "path", &path) && get_int64(env, argv[1], "mode", &mode) &&
      get_int64(env, argv[2], "major", &major_num) && get_int64(env, argv[3], "minor", &minor_num)) {
    dev_t dev = makedev((unsigned int)major_num, (unsigned int)minor_num);
    if (mknod(path, (mode_t)mode, dev) != 0) throw_errno(env, errno, "mknod", path);
  }
  free(path);
  return NULL;
}

/* ---- inode flags -------------------------------------------------------- */

/*
 * addInodeFlags(path, flags): FS_IOC_GETFLAGS, OR in `flags` (FS_*_FL),
 * FS_IOC_SETFLAGS, on a directory or file opened without following a
 * symlink. Returns the flags now set. Filesystems without inode flags fail
 * with ENOTTY or EOPNOTSUPP.
 */
static napi_value js_add_inode_flags(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path = NULL;
  int64_t add = 0;
  if (get_string(env, argv[0], 0, "path", &path) && get_int64(env, argv[1], "flags", &add)) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      throw_errno(env, errno, "open", path);
    } else {
      int flags = 0;
      int failed = ioctl(fd, FS_IOC_GETFLAGS, &flags);
      if (failed == 0 && (flags & (int)add) != (int)add) {
        flags |= (int)add;
        failed = ioctl(fd, FS_IOC_SETFLAGS, &flags);
      }
      if (failed != 0) throw_errno(env, errno, "ioctl", path);
      else napi_create_int32(env, flags, &result);
      close(fd);
    }
  }
  free(path);
  return result;
}

/* ---- xattrs (never following symlinks) ----------------------------------- */

/* lsetxattr(path, name, value: Buffer, flags) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  char *path = NULL, *name = NULL;
  int64_t flags = 0;
  void *data = NULL;
  size_t length = 0;
  if (get_string(env, argv[0], 0, "path", &path) && get_string(env, argv[1], 0, "name", &name) &&
      get_int64(env, argv[3], "flags", &flags)) {
    if (napi_get_buffer_info(env, argv[2], &data, &length) != napi_ok) {
      throw_type(env, "value must be a Buffer");
    } else if (lsetxattr(path, name, data, length, (int)flags) != 0) {
      throw_errno(env, errno, "lsetxattr", path);
    }
  }
  free(path), free(name);
  return NULL;
}

/* lgetxattr(path, name) -> Buffer; throws ENODATA when the attribute is absent. */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path = NULL, *name = NULL;
  if (get_string(env, argv[0], 0, "path", &path) && get_string(env, argv[1], 0, "name", &name)) {
    for (;;) { /* the value may grow between the size query and the read: retry on ERANGE */
      ssize_t size = lgetxattr(path, name, NULL, 0);
      if (size < 0) {
        throw_errno(env, errno, "lgetxattr", path);
        break;
      }
      void *data;
      napi_create_buffer(env, (size_t)size, &data, &result);
      ssize_t got = size == 0 ? 0 : lgetxattr(path, name, data, (size_t)size);
      if (got >= 0 && got == size) break;
      if (got >= 0) { /* shrank: return the shorter value */
        napi_create_buffer_copy(env, (size_t)got, data, NULL, &result);
        break;
      }
      if (errno != ERANGE) {
        result = NULL;
        throw_errno(env, errno, "lgetxattr", path);
        break;
      }
    }
  }
  free(path), free(name);
  return result;
}

/* llistxattr(path) -> string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path = NULL;
  if (!get_string(env, argv[0], 0, "path", &path)) return NULL;
  char *names = NULL;
  ssize_t size;
  for (;;) {
    size = llistxattr(path, NULL, 0);
    if (size < 0) break;
    free(names);
    names = malloc((size_t)size + 1);
    if (names == NULL) {
      errno = ENOMEM;
      size = -1;
      break;
    }
    size = size == 0 ? 0 : llistxattr(path, names, (size_t)size);
    if (size >= 0 || errno != ERANGE) break;
  }
  if (size < 0) {
    throw_errno(env, errno, "llistxattr", path);
  } else {
    napi_create_array(env, &result);
    uint32_t index = 0;
    for (ssize_t offset = 0; offset < size;) {
      size_t length = strnlen(names + offset, (size_t)(size - offset));
      napi_value name;
      napi_create_string_utf8(env, names + offset, length, &name);
      napi_set_element(env, result, index++, name);
      offset += (ssize_t)length + 1;
    }
  }
  free(names), free(path);
  return result;
}

/* lremovexattr(path, name) */
static napi_value js_lremovexattr(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  char *path = NULL, *name = NULL;
  if (get_string(env, argv[0], 0, "path", &path) && get_string(env, argv[1], 0, "name", &name)) {
    if (lremovexattr(path, name) != 0) throw_errno(env, errno, "lremovexattr", path);
  }
  free(path), free(name);
  return NULL;
}

/* ---- statfs ------------------------------------------------------------- */

static void set_number(napi_env env, napi_value object, const char *key, double number) {
  napi_value value;
  napi_create_double(env, number, &value);
  napi_set_named_property(env, object, key, value);
}

/* statfs(path) -> { type, bsize, blocks, bfree, bavail, files, ffree } */
static napi_value js_statfs(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path = NULL;
  if (get_string(env, argv[0], 0, "path", &path)) {
    struct statfs st;
    if (statfs(path, &st) != 0) {
      throw_errno(env, errno, "statfs", path);
    } else {
      napi_create_object(env, &result);
      set_number(env, result, "type", (double)(uint32_t)st.f_type);
      set_number(env, result, "bsize", (double)st.f_bsize);
      set_number(env, result, "blocks", (double)st.f_blocks);
      set_number(env, result, "bfree", (double)st.f_bfree);
      set_number(env, result, "bavail", (double)st.f_bavail);
      set_number(env, result, "files", (double)st.f_files);
      set_number(env, result, "ffree", (double)st.f_ffree);
    }
  }
  free(path);
  return result;
}

/* ---- netns_socket ----------------------------------------------------------- */

struct netns_socket_call {
  const char *netns, *address;
  int type, fd, port, err;
  const char *failed_syscall;
};

static void *netns_socket_thread(void *arg) {
  struct netns_socket_call *call = arg;
  int ns = open(call->netns, O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    call->err = errno, call->failed_syscall = "open";
    return NULL;
  }
  int rc = setns(ns, CLONE_NEWNET);
  int saved = errno;
  close(ns);
  if (rc != 0) {
    call->err = saved, call->failed_syscall = "setns";
    return NULL;
  }
  int fd = socket(AF_INET, call->type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    call->err = errno, call->failed_syscall = "socket";
    return NULL;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  socklen_t len = sizeof addr;
  if (inet_pton(AF_INET, call->address, &addr.sin_addr) != 1) {
    call->err = EINVAL, call->failed_syscall = "inet_pton";
  } else if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    call->err = errno, call->failed_syscall = "bind";
  } else if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    call->err = errno, call->failed_syscall = "getsockname";
  }
  if (call->err != 0) {
    close(fd);
    return NULL;
  }
  call->fd = fd;
  call->port = ntohs(addr.sin_port);
  return NULL;
}

/*
 * netnsSocket(netnsPath, "udp"|"tcp", ipv4) -> { fd, port }: a socket created
 * inside another network namespace, bound to ipv4 on a port the kernel picks.
 * A socket belongs to the namespace it was created in for its whole life, so
 * only its creation needs to happen there: a private thread enters the
 * namespace (setns is per thread) and ends, Node's threads never move. Node
 * adopts the fd (dgram bind({fd}), net listen({fd})) and closes it.
 */
static napi_value js_netns_socket(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *netns = NULL, *kind = NULL, *address = NULL;
  if (get_string(env, argv[0], 0, "netns", &netns) && get_string(env, argv[1], 0, "type", &kind) &&
      get_string(env, argv[2], 0, "address", &address)) {
    struct netns_socket_call call = {netns, address, strcmp(kind, "tcp") == 0 ? SOCK_STREAM : SOCK_DGRAM, -1, 0, 0, NULL};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, netns_socket_thread, &call);
    if (rc != 0) {
      call.err = rc, call.failed_syscall = "pthread_create";
    } else {
      pthread_join(thread, NULL);
    }
    if (call.err != 0) {
      throw_errno(env, call.err, call.failed_syscall, netns);
    } else {
      napi_create_object(env, &result);
      set_number(env, result, "fd", call.fd);
      set_number(env, result, "port", call.port);
    }
  }
  free(netns), free(kind), free(address);
  return result;
}

/* ---- pipes and sockets ------------------------------------------------------- */

/* pipe2(O_CLOEXEC) → [readFd, writeFd]: two open file descriptions, so making one end non-blocking leaves the other as it is. */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw_errno(env, errno, "pipe2", NULL);
    return NULL;
  }
  napi_value result, value;
  napi_create_array_with_length(env, 2, &result);
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_int32(env, fds[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

/*
 * Connects a non-blocking, close-on-exec SOCK_SEQPACKET unix socket to `path`
 * and returns its fd (Node's net module only makes SOCK_STREAM ones). A unix
 * connect completes at once or fails (EAGAIN when the listener's backlog is full).
 */
static napi_value js_seqpacket_connect(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path;
  if (!get_string(env, argv[0], 0, "path", &path)) return NULL;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    throw_errno(env, ENAMETOOLONG, "connect", path);
  } else {
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw_errno(env, errno, "socket", path);
    } else if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
      int err = errno;
      close(fd);
      throw_errno(env, err, "connect", path);
    } else {
      napi_create_int32(env, fd, &result);
    }
  }
  free(path);
  return result;
}

/* dup(fd) with close-on-exec: a second fd on the same open file (or socket). */
static napi_value js_dup(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  int64_t fd;
  if (!get_int64(env, argv[0], "fd", &fd)) return NULL;
  int copy = fcntl((int)fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) throw_errno(env, errno, "dup", NULL);
  else napi_create_int32(env, copy, &result);
  return result;
}

/*
 * seekData(fd, offset, hole): lseek(fd, offset, SEEK_DATA), or SEEK_HOLE with
 * `hole` true: where the next data (or hole) starts, so sparse files can be
 * read without reading their holes. -1 when there is no data at or after
 * offset (ENXIO); a filesystem without hole support answers as if the file
 * were all data, which is correct, only not faster.
 */
static napi_value js_seek_data(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  int64_t fd, offset;
  bool hole = false;
  if (!get_int64(env, argv[0], "fd", &fd) || !get_int64(env, argv[1], "offset", &offset)) return NULL;
  if (napi_get_value_bool(env, argv[2], &hole) != napi_ok) {
    throw_type(env, "hole must be a boolean");
    return NULL;
  }
  off_t at = lseek((int)fd, (off_t)offset, hole ? SEEK_HOLE : SEEK_DATA);
  if (at < 0 && errno != ENXIO) throw_errno(env, errno, "lseek", NULL);
  else napi_create_int64(env, at < 0 ? -1 : (int64_t)at, &result);
  return result;
}

/*
 * A reader for a SOCK_SEQPACKET socket that keeps every packet. libuv's stream
 * reading (what net.Socket uses) takes a short read as "the socket is
 * drained" and reports EOF on a hang-up right after one: on a seqpacket
 * socket each read returns one packet however many are queued, so the last
 * packets before the peer closed would be lost. This reader polls the fd and
 * reads until EAGAIN or EOF, and can be stopped and started, which is how a
 * slow consumer holds the writer back.
 *
 * packetReader(fd, cb) takes ownership of fd; cb(packets: Buffer[], status)
 * runs once per readiness: status 0 (more may come), 1 (EOF) or -errno.
 * packetReaderStart/Stop pause and resume; packetReaderClose stops for good
 * and closes the fd (the memory goes once libuv has closed the poll handle).
 */
#define READER_BATCH 64
#define READER_BUFFER 65536

typedef struct {
  uv_poll_t poll;
  int fd;
  int closed;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} packet_reader;

static void reader_freed(uv_handle_t *handle) {
  free(handle->data);
}

static void reader_close(packet_reader *r) {
  if (r->closed) return;
  r->closed = 1;
  uv_close((uv_handle_t *)&r->poll, reader_freed);
  close(r->fd);
  napi_delete_reference(r->env, r->callback);
  napi_async_destroy(r->env, r->context);
}

static void reader_ready(uv_poll_t *handle, int status, int events) {
  packet_reader *r = handle->data;
  if (r->closed) return;
  static char buf[READER_BUFFER];
  napi_env env = r->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value packets, value;
  napi_create_array(env, &packets);
  int result = status < 0 ? status : 0;
  for (uint32_t count = 0; result == 0 && count < READER_BATCH;) {
    ssize_t n = recv(r->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      void *data;
      napi_create_buffer_copy(env, (size_t)n, buf, &data, &value);
      napi_set_element(env, packets, count++, value);
    } else if (n == 0) {
      result = 1;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;
    } else if (errno != EINTR) {
      result = -errno;
    }
  }
  if (result != 0) uv_poll_stop(&r->poll);
  napi_value argv[2], cb, global, ignored;
  argv[0] = packets;
  napi_create_int32(env, result, &argv[1]);
  napi_get_reference_value(env, r->callback, &cb);
  napi_get_global(env, &global);
  napi_make_callback(env, r->context, global, cb, 2, argv, &ignored);
  napi_close_handle_scope(env, scope);
}

static packet_reader *get_reader(napi_env env, napi_value value) {
  void *data = NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    throw_type(env, "reader must be a packetReader");
    return NULL;
  }
  return data;
}

static napi_value js_packet_reader(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL, name;
  get_args(env, info, argv);
  int64_t fd;
  napi_valuetype type;
  if (!get_int64(env, argv[0], "fd", &fd)) return NULL;
  napi_typeof(env, argv[1], &type);
  if (type != napi_function) {
    throw_type(env, "callback must be a function");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "no event loop");
    return NULL;
  }
  packet_reader *r = calloc(1, sizeof *r);
  if (r == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  int err = uv_poll_init(loop, &r->poll, (int)fd);
  if (err != 0) {
    free(r);
    throw_errno(env, -err, "uv_poll_init", NULL);
    return NULL;
  }
  r->poll.data = r;
  r->fd = (int)fd;
  r->env = env;
  napi_create_reference(env, argv[1], 1, &r->callback);
  napi_create_string_utf8(env, "berth.packetReader", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &r->context);
  napi_create_external(env, r, NULL, NULL, &result);
  return result;
}

static napi_value js_packet_reader_start(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  packet_reader *r = get_reader(env, argv[0]);
  if (r != NULL && !r->closed) uv_poll_start(&r->poll, UV_READABLE | UV_DISCONNECT, reader_ready);
  return NULL;
}

static napi_value js_packet_reader_stop(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  packet_reader *r = get_reader(env, argv[0]);
  if (r != NULL && !r->closed) uv_poll_stop(&r->poll);
  return NULL;
}

static napi_value js_packet_reader_close(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  packet_reader *r = get_reader(env, argv[0]);
  if (r != NULL) reader_close(r);
  return NULL;
}

/* ---- splice relay ------------------------------------------------------------ */

/*
 * spliceRelay(clientFd, upstreamFd, done): joins two connected TCP sockets
 * both ways in the kernel, as docker-proxy does (Go's io.Copy between TCP
 * connections is splice(2) socket → pipe → socket): the bytes never reach
 * user space and no JS runs per chunk. The addon takes close-on-exec
 * duplicates of both fds, so the caller destroys its net.Sockets right after
 * the call (their fds close, the sockets stay open through the duplicates,
 * and libuv stops polling them). On failure nothing is duplicated or
 * started and it throws: the caller still owns both sockets.
 *
 * One thread per connection runs both directions on the non-blocking
 * sockets (poll(2) when neither can move), so the JS thread does no copying.
 * A direction that reads EOF shuts down its destination's sending side
 * (half-close passed on, like docker-proxy's CloseWrite); the relay ends when
 * both directions have, or at the first error (a reset, a failed write), and
 * then closes both sockets and its pipes and calls done(status): 0 or -errno.
 */
#define RELAY_CHUNK (1 << 20)
#define RELAY_ROUNDS 16
#define RELAY_STACK (64 * 1024)

typedef struct {
  int from, to;
  int pipe[2];
  size_t pending; /* bytes in the pipe, not yet written to `to` */
  int eof;        /* `from` reached EOF with nothing pending, and `to` was shut down for writing */
} relay_direction;

typedef struct {
  int fds[2]; /* client, upstream */
  relay_direction dir[2];
  napi_threadsafe_function done;
} splice_relay;

/*
 * Moves what is ready in one direction, at most RELAY_ROUNDS chunks so the
 * other direction gets its turn. Adds the poll events it waits for to
 * *want_from / *want_to, sets *busy when it stopped with more to move;
 * returns 0 or -errno. The pipe is written only when empty, so EAGAIN always
 * means the socket is not ready (the pipe side of splice is non-blocking too).
 */
static int relay_pump(relay_direction *d, short *want_from, short *want_to, int *busy) {
  for (int round = 0; round < RELAY_ROUNDS && !d->eof; round++) {
    ssize_t n;
    if (d->pending > 0) {
      n = splice(d->pipe[0], NULL, d->to, NULL, d->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n >= 0) {
        d->pending -= (size_t)n;
        continue;
      }
      if (errno == EAGAIN) {
        *want_to |= POLLOUT;
        return 0;
      }
    } else {
      n = splice(d->from, NULL, d->pipe[1], NULL, RELAY_CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d->pending = (size_t)n;
        continue;
      }
      if (n == 0) {
        d->eof = 1;
        shutdown(d->to, SHUT_WR); /* ENOTCONN when the peer is gone already: the other direction finds out */
        return 0;
      }
      if (errno == EAGAIN) {
        *want_from |= POLLIN;
        return 0;
      }
    }
    if (errno != EINTR) return -errno;
  }
  if (!d->eof) *busy = 1;
  return 0;
}

/* A socket poll reported an error on: its pending error (a reset), as -errno. */
static int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return -(err != 0 ? err : EIO);
}

static int relay_run(splice_relay *r) {
  for (;;) {
    short want[2] = {0, 0};
    int busy = 0, status;
    for (int i = 0; i < 2; i++) {
      /* dir[0] reads fds[0] and writes fds[1]; dir[1] the other way round */
      status = relay_pump(&r->dir[i], &want[i], &want[1 - i], &busy);
      if (status != 0) return status;
    }
    if (r->dir[0].eof && r->dir[1].eof) return 0;
    struct pollfd polls[2] = {{r->fds[0], want[0], 0}, {r->fds[1], want[1], 0}};
    if (poll(polls, 2, busy ? 0 : -1) < 0) {
      if (errno != EINTR) return -errno;
      continue;
    }
    /* POLLERR comes whatever was asked for: once the error is read it is gone, so it ends the relay now */
    for (int i = 0; i < 2; i++) {
      if (polls[i].revents & POLLERR) return socket_error(r->fds[i]);
    }
  }
}

static void close_fds(int *fds, int count) {
  for (int i = 0; i < count; i++) {
    if (fds[i] >= 0) close(fds[i]);
  }
}

static void relay_free(splice_relay *r) {
  close_fds(r->fds, 2);
  close_fds(r->dir[0].pipe, 2);
  close_fds(r->dir[1].pipe, 2);
  free(r);
}

static void *relay_thread(void *arg) {
  splice_relay *r = arg;
  int status = relay_run(r);
  napi_threadsafe_function done = r->done;
  relay_free(r);
  /* napi_closing: Node is exiting and may have freed the function already, so it must not be released */
  if (napi_call_threadsafe_function(done, (void *)(intptr_t)status, napi_tsfn_blocking) != napi_closing) {
    napi_release_threadsafe_function(done, napi_tsfn_release);
  }
  return NULL;
}

static void relay_done_js(napi_env env, napi_value callback, void *context, void *data) {
  if (env == NULL) return; /* the environment is going away */
  napi_value status, global, ignored;
  napi_create_int32(env, (int32_t)(intptr_t)data, &status);
  napi_get_global(env, &global);
  napi_call_function(env, global, callback, 1, &status, &ignored);
}

/* The duplicates, pipes and callback of a new relay, or -errno with nothing left open. */
static int relay_prepare(splice_relay *r, int client, int upstream) {
  int sources[2] = {client, upstream};
  for (int i = 0; i < 2; i++) {
    r->fds[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 0);
    if (r->fds[i] < 0) return -errno;
    if (pipe2(r->dir[i].pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -errno;
    /* a bigger pipe moves more per splice; the default (64 KiB) still works */
    fcntl(r->dir[i].pipe[0], F_SETPIPE_SZ, RELAY_CHUNK);
    /* as Go sets on every TCP socket, docker-proxy's too: a short message spliced on is sent now, not held for an ACK */
    int one = 1;
    setsockopt(r->fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  r->dir[0].from = r->dir[1].to = r->fds[0];
  r->dir[0].to = r->dir[1].from = r->fds[1];
  return 0;
}

static napi_value js_splice_relay(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], name;
  get_args(env, info, argv);
  int64_t client, upstream;
  napi_valuetype type;
  if (!get_int64(env, argv[0], "clientFd", &client) || !get_int64(env, argv[1], "upstreamFd", &upstream)) return NULL;
  napi_typeof(env, argv[2], &type);
  if (type != napi_function) {
    throw_type(env, "done must be a function");
    return NULL;
  }
  splice_relay *r = malloc(sizeof *r);
  if (r == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  *r = (splice_relay){.fds = {-1, -1}, .dir = {{.pipe = {-1, -1}}, {.pipe = {-1, -1}}}};
  int err = relay_prepare(r, (int)client, (int)upstream);
  if (err != 0) {
    relay_free(r);
    throw_errno(env, -err, "spliceRelay", NULL);
    return NULL;
  }
  napi_create_string_utf8(env, "berth.spliceRelay", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[2], NULL, name, 0, 1, NULL, NULL, NULL, relay_done_js, &r->done) != napi_ok) {
    relay_free(r);
    napi_throw_error(env, NULL, "spliceRelay: cannot create the completion callback");
    return NULL;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, RELAY_STACK);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  int rc = pthread_create(&thread, &attr, relay_thread, r);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    napi_release_threadsafe_function(r->done, napi_tsfn_abort);
    relay_free(r);
    throw_errno(env, rc, "pthread_create", NULL);
  }
  return NULL;
}

/* ---- process spawning and unmounting off the main thread -------------------- */

/*
 * Why: Node's child_process forks the whole daemon (page tables of a big heap)
 * on the main thread and then blocks it until the child has exec'd; on a busy
 * host that is tens of milliseconds per spawn during which no request moves.
 * Here a small detached thread vforks (nothing copied), waits for the child
 * and reports its end through a threadsafe function. The main thread only
 * makes the socketpairs. libuv reaps only the children it spawned itself, so
 * these are ours to wait for.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define SPAWN_STACK (64 * 1024)
#define SPAWN_MAX_FDS 16
#define SPAWN_IGNORE (-1)
#define SPAWN_PIPE (-2)

typedef struct {
  char *file, *cwd;
  char *netns; /* a network namespace's path to run the child in, or NULL */
  char **argv, **envp;
  int fds[SPAWN_MAX_FDS]; /* the child's fd i, from our private duplicate (-1: /dev/null) */
  int nfds, setsid;
  int err, pid, wstatus;
  napi_threadsafe_function done;
} spawn_job;

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

static void spawn_free(spawn_job *job) {
  close_fds(job->fds, job->nfds);
  free(job->file), free(job->cwd), free(job->netns);
  free_strings(job->argv), free_strings(job->envp);
  free(job);
}

/* A JS array of strings → a NULL-terminated malloc'd list, or NULL (and a thrown error). */
static char **get_string_list(napi_env env, napi_value array, const char *what) {
  uint32_t length;
  if (napi_get_array_length(env, array, &length) != napi_ok) {
    char message[128];
    snprintf(message, sizeof message, "%s must be an array", what);
    throw_type(env, message);
    return NULL;
  }
  char **list = calloc(length + 1, sizeof *list);
  if (list == NULL) return NULL;
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    napi_get_element(env, array, i, &item);
    if (!get_string(env, item, 0, what, &list[i])) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

/* A detached thread with a small stack (it only makes system calls); 0 or an errno. */
static int start_small_thread(void *(*run)(void *), void *arg) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, SPAWN_STACK);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  int err = pthread_create(&thread, &attr, run, arg);
  pthread_attr_destroy(&attr);
  return err;
}

/* The program to exec: `file` itself when it has a '/', else the first executable one along PATH (the child's, as Node). */
static int spawn_resolve(spawn_job *job, char *out, size_t size) {
  if (strchr(job->file, '/') != NULL) {
    snprintf(out, size, "%s", job->file);
    return 0;
  }
  const char *path = NULL;
  for (char **e = job->envp; *e != NULL; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  }
  if (path == NULL) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path != '\0') {
    size_t len = strcspn(path, ":");
    snprintf(out, size, "%.*s/%s", (int)len, len == 0 ? "." : path, job->file);
    if (access(out, X_OK) == 0) return 0;
    path += len + (path[len] == ':');
  }
  return ENOENT;
}

struct kernel_sigaction_dfl {
  void *handler;
  unsigned long flags;
  void *restorer;
  uint64_t mask;
};

/*
 * The child, between vfork and exec: it shares our memory (so no malloc, no
 * locks, raw system calls only) and has its own signal table. Every signal
 * back to its default as libuv does (glibc's posix_spawn would leave its two
 * internal ones ignored, and that survives exec), fds in place, then exec.
 */
static __attribute__((noinline)) void spawn_child(spawn_job *job, const char *path, int netns_fd, volatile int *child_err) {
  struct kernel_sigaction_dfl dfl = {0};
  for (int sig = 1; sig < 65; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
  }
  for (int i = 0; i < job->nfds; i++) {
    int fd = job->fds[i] >= 0 ? job->fds[i] : open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) goto fail;
    if (fd == i ? fcntl(fd, F_SETFD, 0) < 0 : dup2(fd, i) < 0) goto fail; /* dup2 onto itself would keep close-on-exec */
  }
  if (job->cwd != NULL && chdir(job->cwd) != 0) goto fail;
  if (job->setsid && setsid() < 0) goto fail;
  /* setns is per task: only the child moves (what `nsenter --net` would do, one exec fewer). */
  if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) goto fail;
  uint64_t none = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
  execve(path, job->argv, job->envp);
fail:
  *child_err = errno;
  _exit(127);
}

/*
 * vfork, not fork: nothing of the daemon is copied, and only this thread
 * waits until the child has exec'd. Signals are blocked around it so that
 * no handler of ours runs in the child while it shares our memory.
 */
static int spawn_run(spawn_job *job) {
  char path[4096];
  int err = spawn_resolve(job, path, sizeof path);
  if (err != 0) return err;
  int netns_fd = -1;
  if (job->netns != NULL && (netns_fd = open(job->netns, O_RDONLY | O_CLOEXEC)) < 0) {
    job->pid = -1; /* tells done() the namespace, not the program, is what failed */
    return errno;
  }
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  volatile int child_err = 0;
  pid_t pid = vfork();
  if (pid == 0) spawn_child(job, path, netns_fd, &child_err);
  err = pid < 0 ? errno : 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (netns_fd >= 0) close(netns_fd);
  close_fds(job->fds, job->nfds);
  for (int i = 0; i < job->nfds; i++) job->fds[i] = -1;
  if (err != 0) return err;
  job->pid = pid;
  while (waitpid(pid, &job->wstatus, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  return child_err; /* exec failed: the child's _exit(127) is reaped, the errno is the answer */
}

static void *spawn_thread(void *arg) {
  spawn_job *job = arg;
  job->err = spawn_run(job);
  napi_threadsafe_function done = job->done;
  if (napi_call_threadsafe_function(done, job, napi_tsfn_blocking) == napi_closing) {
    spawn_free(job);
    return NULL;
  }
  napi_release_threadsafe_function(done, napi_tsfn_release);
  return NULL;
}

/* done(errno, pid, exitCode, signal): exitCode is -1 when a signal ended it; pid is -1 when the netns could not be opened. */
static void spawn_done_js(napi_env env, napi_value callback, void *context, void *data) {
  spawn_job *job = data;
  if (env != NULL) {
    napi_value args[4], global, ignored;
    int exited = job->err == 0 && WIFEXITED(job->wstatus);
    int signalled = job->err == 0 && WIFSIGNALED(job->wstatus);
    napi_create_int32(env, job->err, &args[0]);
    napi_create_int32(env, job->pid, &args[1]);
    napi_create_int32(env, exited ? WEXITSTATUS(job->wstatus) : -1, &args[2]);
    napi_create_int32(env, signalled ? WTERMSIG(job->wstatus) : 0, &args[3]);
    napi_get_global(env, &global);
    napi_call_function(env, global, callback, 4, args, &ignored);
  }
  spawn_free(job);
}

/*
 * Fills job->fds from the JS stdio list: -1 /dev/null, -2 a new socketpair
 * (the parent's end goes to parent_fds[i]), else an fd of the caller's,
 * duplicated (the caller keeps its own). Duplicates land at or above
 * SPAWN_MAX_FDS. Returns 0 or an errno; parent_fds are then closed again.
 */
static int spawn_stdio(napi_env env, napi_value list, spawn_job *job, int *parent_fds) {
  for (int i = 0; i < job->nfds; i++) {
    napi_value item;
    int64_t wanted;
    napi_get_element(env, list, (uint32_t)i, &item);
    if (napi_get_value_int64(env, item, &wanted) != napi_ok) return EINVAL;
    if (wanted == SPAWN_IGNORE) continue;
    int source = (int)wanted, pair[2] = {-1, -1};
    if (wanted == SPAWN_PIPE) {
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return errno;
      parent_fds[i] = pair[0];
      source = pair[1];
    }
    job->fds[i] = fcntl(source, F_DUPFD_CLOEXEC, SPAWN_MAX_FDS);
    int err = job->fds[i] < 0 ? errno : 0;
    if (pair[1] >= 0) close(pair[1]);
    if (err != 0) return err;
  }
  return 0;
}

/* spawn(file, argv, envp, cwd|null, stdio[], setsid, done[, netns|null]) → the parent's ends (-1 where none) */
static napi_value js_spawn(napi_env env, napi_callback_info info) {
  napi_value argv[8], name, result = NULL;
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 7) {
    throw_type(env, "spawn takes 7 arguments");
    return NULL;
  }
  spawn_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  for (int i = 0; i < SPAWN_MAX_FDS; i++) job->fds[i] = -1;
  int parent_fds[SPAWN_MAX_FDS];
  for (int i = 0; i < SPAWN_MAX_FDS; i++) parent_fds[i] = -1;
  uint32_t nfds = 0;
  bool setsid = false;
  napi_valuetype type;
  napi_typeof(env, argv[6], &type);
  if (!get_string(env, argv[0], 0, "file", &job->file) || !get_string(env, argv[3], 1, "cwd", &job->cwd) ||
      (argc > 7 && !get_string(env, argv[7], 1, "netns", &job->netns)) || (job->argv = get_string_list(env, argv[1], "argv")) == NULL ||
      (job->envp = get_string_list(env, argv[2], "envp")) == NULL) {
    spawn_free(job);
    return NULL;
  }
  if (napi_get_array_length(env, argv[4], &nfds) != napi_ok || nfds > SPAWN_MAX_FDS || napi_get_value_bool(env, argv[5], &setsid) != napi_ok ||
      type != napi_function) {
    spawn_free(job);
    throw_type(env, "spawn: stdio must be an array of at most 16 numbers, setsid a boolean, done a function");
    return NULL;
  }
  job->nfds = (int)nfds;
  job->setsid = setsid;
  int err = spawn_stdio(env, argv[4], job, parent_fds);
  if (err == 0) {
    napi_create_string_utf8(env, "berth.spawn", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[6], NULL, name, 0, 1, NULL, NULL, NULL, spawn_done_js, &job->done) != napi_ok) err = ENOMEM;
  }
  if (err == 0) {
    err = start_small_thread(spawn_thread, job);
    if (err != 0) napi_release_threadsafe_function(job->done, napi_tsfn_abort);
  }
  if (err != 0) {
    close_fds(parent_fds, (int)nfds);
    spawn_free(job);
    throw_errno(env, err, "spawn", NULL);
    return NULL;
  }
  napi_create_array_with_length(env, nfds, &result);
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value value;
    napi_create_int32(env, parent_fds[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

typedef struct {
  char *target;
  int flags, err;
  napi_threadsafe_function done;
} umount_job;

static void *umount_thread(void *arg) {
  umount_job *job = arg;
  job->err = umount2(job->target, job->flags) == 0 ? 0 : errno;
  napi_threadsafe_function done = job->done;
  if (napi_call_threadsafe_function(done, job, napi_tsfn_blocking) == napi_closing) {
    free(job->target), free(job);
    return NULL;
  }
  napi_release_threadsafe_function(done, napi_tsfn_release);
  return NULL;
}

static void umount_done_js(napi_env env, napi_value callback, void *context, void *data) {
  umount_job *job = data;
  if (env != NULL) {
    napi_value status, global, ignored;
    napi_create_int32(env, job->err, &status);
    napi_get_global(env, &global);
    napi_call_function(env, global, callback, 1, &status, &ignored);
  }
  free(job->target), free(job);
}

/*
 * umount2Async(target, flags, done(errno)): an overlay's unmount syncs its
 * upper filesystem, milliseconds to tens of them; on a thread of its own it
 * holds up no request.
 */
static napi_value js_umount2_async(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], name;
  get_args(env, info, argv);
  int64_t flags;
  napi_valuetype type;
  umount_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  napi_typeof(env, argv[2], &type);
  if (!get_string(env, argv[0], 0, "target", &job->target) || !get_int64(env, argv[1], "flags", &flags)) {
    free(job->target), free(job);
    return NULL;
  }
  if (type != napi_function) {
    free(job->target), free(job);
    throw_type(env, "done must be a function");
    return NULL;
  }
  job->flags = (int)flags;
  napi_create_string_utf8(env, "berth.umount2", NAPI_AUTO_LENGTH, &name);
  int err = napi_create_threadsafe_function(env, argv[2], NULL, name, 0, 1, NULL, NULL, NULL, umount_done_js, &job->done) == napi_ok ? 0 : ENOMEM;
  if (err == 0) {
    err = start_small_thread(umount_thread, job);
    if (err != 0) napi_release_threadsafe_function(job->done, napi_tsfn_abort);
  }
  if (err != 0) {
    free(job->target), free(job);
    throw_errno(env, err, "pthread_create", NULL);
  }
  return NULL;
}

/* ---- sealed_copy -------------------------------------------------------------- */

/*
 * sealedCopy(path): a copy of the file in a memfd sealed against any change
 * (write, grow, shrink, further seals), returned as a close-on-exec fd. For
 * runc: every `runc init` copies runc's 8 MB into such a memfd and re-executes
 * itself from it unless /proc/self/exe already is one (runc's defence against
 * CVE-2019-5736, libcontainer/nsenter/cloned_binary.c), so running runc from a
 * sealed copy made once saves that copy and one exec on every container start.
 */
static napi_value js_sealed_copy(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path = NULL;
  if (!get_string(env, argv[0], 0, "path", &path)) return NULL;
  int src = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  int fd = -1, err = 0;
  const char *syscall = "open";
  if (src < 0) {
    err = errno;
  } else if (fstat(src, &st) != 0) {
    err = errno, syscall = "fstat";
  } else if ((fd = memfd_create("berth-sealed-copy", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0) {
    err = errno, syscall = "memfd_create";
  } else {
    off_t offset = 0;
    while (err == 0 && offset < st.st_size) {
      ssize_t n = sendfile(fd, src, &offset, (size_t)(st.st_size - offset));
      if (n < 0 && errno != EINTR) err = errno, syscall = "sendfile";
      else if (n == 0) err = EIO, syscall = "sendfile"; /* the file shrank under us */
    }
    if (err == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) err = errno, syscall = "fcntl";
  }
  if (src >= 0) close(src);
  if (err != 0) {
    if (fd >= 0) close(fd);
    throw_errno(env, err, syscall, path);
  } else {
    napi_create_int32(env, fd, &result);
  }
  free(path);
  return result;
}

/* ---- the CLI's warm pool (src/cli-pool, native/berth-launch.c) ------------ */

/*
 * unixListen(path, backlog): a listening, close-on-exec SOCK_STREAM unix
 * socket at `path`, as an fd. Node's net.Server would accept on it itself;
 * the pool only holds it and hands it to its workers, each of which accepts
 * one connection.
 */
static napi_value js_unix_listen(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  char *path;
  int64_t backlog;
  if (!get_string(env, argv[0], 0, "path", &path)) return NULL;
  if (!get_int64(env, argv[1], "backlog", &backlog)) {
    free(path);
    return NULL;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd = -1;
  if (strlen(path) >= sizeof addr.sun_path) {
    throw_errno(env, ENAMETOOLONG, "bind", path);
  } else if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
    throw_errno(env, errno, "socket", path);
  } else {
    strcpy(addr.sun_path, path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) throw_errno(env, errno, "bind", path);
    else if (listen(fd, (int)backlog) != 0) throw_errno(env, errno, "listen", path);
    else napi_create_int32(env, fd, &result);
    if (result == NULL) close(fd);
  }
  free(path);
  return result;
}

/*
 * recvFds(fd, length, timeoutMs): reads exactly `length` bytes from a unix
 * stream socket (blocking or not: it polls), with the descriptors passed
 * beside them (SCM_RIGHTS, received close-on-exec). Returns { data, fds }.
 * ETIMEDOUT when the bytes do not come in time, EPIPE when the peer closes first.
 */
static napi_value js_recv_fds(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL;
  get_args(env, info, argv);
  int64_t fd, length, timeout_ms;
  if (!get_int64(env, argv[0], "fd", &fd) || !get_int64(env, argv[1], "length", &length) ||
      !get_int64(env, argv[2], "timeoutMs", &timeout_ms)) {
    return NULL;
  }
  if (length < 0 || length > (64 << 20)) {
    throw_type(env, "length out of range");
    return NULL;
  }
  char *data = malloc(length > 0 ? (size_t)length : 1);
  int fds[64], nfds = 0, err = 0;
  const char *syscall = "recvmsg";
  size_t got = 0;
  while (err == 0 && got < (size_t)length) {
    struct pollfd p = {.fd = (int)fd, .events = POLLIN};
    int ready = poll(&p, 1, (int)timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      err = errno, syscall = "poll";
      break;
    }
    if (ready == 0) {
      err = ETIMEDOUT, syscall = "poll";
      break;
    }
    struct iovec iov = {.iov_base = data + got, .iov_len = (size_t)length - got};
    union {
      char buf[CMSG_SPACE(sizeof fds)];
      struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    ssize_t n = recvmsg((int)fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      err = errno;
      break;
    }
    if (n == 0) {
      err = EPIPE;
      break;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      int *passed = (int *)CMSG_DATA(c);
      for (size_t i = 0; i < count; i++) {
        if (nfds < 64) fds[nfds++] = passed[i];
        else close(passed[i]);
      }
    }
    got += (size_t)n;
  }
  if (err != 0) {
    for (int i = 0; i < nfds; i++) close(fds[i]);
    throw_errno(env, err, syscall, NULL);
  } else {
    napi_value buffer, list, value;
    void *copy;
    napi_create_buffer_copy(env, (size_t)length, data, &copy, &buffer);
    napi_create_array_with_length(env, (size_t)nfds, &list);
    for (int i = 0; i < nfds; i++) {
      napi_create_int32(env, fds[i], &value);
      napi_set_element(env, list, (uint32_t)i, value);
    }
    napi_create_object(env, &result);
    napi_set_named_property(env, result, "data", buffer);
    napi_set_named_property(env, result, "fds", list);
  }
  free(data);
  return result;
}

/* dup2(oldFd, newFd): Node has no way to put a descriptor on 0, 1 or 2. */
static napi_value js_dup2(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  get_args(env, info, argv);
  int64_t from, to;
  if (!get_int64(env, argv[0], "oldFd", &from) || !get_int64(env, argv[1], "newFd", &to)) return NULL;
  while (dup2((int)from, (int)to) < 0) {
    if (errno == EINTR) continue;
    throw_errno(env, errno, "dup2", NULL);
    break;
  }
  return NULL;
}

/* peerCred(fd): the pid, uid and gid of a connected unix socket's peer (SO_PEERCRED). */
static napi_value js_peer_cred(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS], result = NULL, value;
  get_args(env, info, argv);
  int64_t fd;
  if (!get_int64(env, argv[0], "fd", &fd)) return NULL;
  struct ucred cred;
  socklen_t size = sizeof cred;
  if (getsockopt((int)fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) {
    throw_errno(env, errno, "getsockopt", NULL);
    return NULL;
  }
  napi_create_object(env, &result);
  napi_create_int32(env, cred.pid, &value);
  napi_set_named_property(env, result, "pid", value);
  napi_create_uint32(env, cred.uid, &value);
  napi_set_named_property(env, result, "uid", value);
  napi_create_uint32(env, cred.gid, &value);
  napi_set_named_property(env, result, "gid", value);
  return result;
}

/* ---- module --------------------------------------------------------------- */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"umount2", NULL, js_umount2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lremovexattr", NULL, js_lremovexattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"statfs", NULL, js_statfs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"netnsSocket", NULL, js_netns_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pipe", NULL, js_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seqpacketConnect", NULL, js_seqpacket_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dup", NULL, js_dup, NULL, NULL, NULL, napi_enumerable, NULL},
      {"seekData", NULL, js_seek_data, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addInodeFlags", NULL, js_add_inode_flags, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetReader", NULL, js_packet_reader, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetReaderStart", NULL, js_packet_reader_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetReaderStop", NULL, js_packet_reader_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetReaderClose", NULL, js_packet_reader_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spliceRelay", NULL, js_splice_relay, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spawn", NULL, js_spawn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"umount2Async", NULL, js_umount2_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sealedCopy", NULL, js_sealed_copy, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unixListen", NULL, js_unix_listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvFds", NULL, js_recv_fds, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dup2", NULL, js_dup2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerCred", NULL, js_peer_cred, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
