/*
 * berth-launch: runs a berth CLI command in a warm, pre-started Node worker
 * instead of starting Node for it (Node's own start is more CPU than the
 * docker CLI's whole command). bin/berth's shell line execs it when it is
 * built (`make build` puts it at dist/berth-launch):
 *
 *   berth-launch /path/to/bin/berth ARGS...
 *
 * It connects to the user's pool for this installation (src/cli-pool/pool.ts:
 * a unix socket in a 0700 directory, the peer's uid checked), waits for a
 * worker to take it, and hands it the command: argv, the environment, the
 * cwd, the umask, the groups, and its fds 0/1/2 (SCM_RIGHTS). Then it
 * forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGWINCH as messages (Ctrl-Z
 * stops the worker with it), and exits with the worker's exit code (or dies of the signal the worker would
 * have died of). It restores its terminal and its fds' status flags first, as
 * Node does at exit, since the worker changed them on the shared descriptions.
 *
 * Whenever anything is off (BERTH_POOL=0, NODE_OPTIONS set, no pool, a
 * refused or foreign socket, no worker in time, a worker that says the
 * installation changed under it) it execs `node bin/berth ARGS...`, exactly
 * what the shell line would have done. With no pool it first starts one,
 * detached in its own session, for the commands after this one.
 *
 * Protocol (version 1; the worker's side is src/cli-pool/worker.ts):
 *   worker -> launcher: 'R' once it has accepted (and checked our uid).
 *   launcher -> worker: a 16-byte header "BRT1", payload length, umask, 0
 *     (u32 little-endian) with fds 0, 1, 2 attached; then the payload, NUL-
 *     terminated strings: cwd, gid, groups (comma-separated), namespaces and
 *     root (see where_we_run), argc, the arguments after bin/berth, then the
 *     environment.
 *   worker -> launcher: 5-byte messages, a letter and an i32: first 'G' and
 *     its pid (running it) or 'F' (fall back: run Node directly); then 'X'
 *     and the exit code, or 'K' and the signal it died of.
 *   launcher -> worker: 'S' and a signal number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef BERTH_POOL_DEFAULT
#define BERTH_POOL_DEFAULT 1
#endif

/* How long a connected launcher waits for a worker to take it (a replacement may still be starting). */
#define READY_TIMEOUT_MS 3000

extern char **environ;

static char **cli_argv; /* our argv: [launcher, script, args...] */
static int cli_argc;
static int debug;

static void say(const char *fmt, const char *detail) {
  if (!debug) return;
  fprintf(stderr, "berth-launch: ");
  fprintf(stderr, fmt, detail);
  fputc('\n', stderr);
}

/* `node bin/berth ARGS...`: what the shell line does without the launcher. */
static void exec_node(const char *why) {
  say("running node directly (%s)", why);
  char **args = calloc((size_t)cli_argc + 1, sizeof *args);
  if (args == NULL) _exit(1);
  args[0] = "node";
  for (int i = 1; i < cli_argc; i++) args[i] = cli_argv[i];
  execvp("node", args);
  fprintf(stderr, "berth: cannot run node: %s\n", strerror(errno));
  _exit(127);
}

/* FNV-1a: the installation's root names its pool, so two checkouts never share workers. */
static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* A directory of ours that no one else can enter: made 0700 if missing, refused otherwise. */
static int private_dir(const char *dir) {
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) return 0;
  struct stat st;
  return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0;
}

/* $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ~/.cache/berth. */
static int pool_dir(char *out, size_t size) {
  const char *runtime = getenv("XDG_RUNTIME_DIR");
  char base[PATH_MAX];
  struct stat st;
  if (runtime != NULL && runtime[0] == '/') {
    snprintf(base, sizeof base, "%s", runtime);
  } else if (snprintf(base, sizeof base, "/run/user/%u", (unsigned)getuid()), stat(base, &st) == 0 && S_ISDIR(st.st_mode)) {
    /* base is set */
  } else {
    const char *home = getenv("HOME");
    if (home == NULL || home[0] != '/') return 0;
    snprintf(base, sizeof base, "%s/.cache", home);
    mkdir(base, 0700);
  }
  if ((size_t)snprintf(out, size, "%s/berth", base) >= size) return 0;
  return private_dir(out);
}

/* Starts the pool detached (double fork, its own session); we do not wait for it. */
static void start_pool(const char *root, const char *sock, const char *log) {
  pid_t child = fork();
  if (child < 0) return;
  if (child == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
    }
    if (out >= 0) dup2(out, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char pool[PATH_MAX + 64];
    snprintf(pool, sizeof pool, "%s/dist/src/cli-pool/pool.js", root);
    execlp("node", "node", pool, sock, root, (char *)NULL);
    _exit(127);
  }
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
  }
}

static int write_all(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    data += n, size -= (size_t)n;
  }
  return 1;
}

/* Reads one 5-byte message; 0 on EOF or error. */
static int read_message(int fd, char *type, int32_t *value) {
  unsigned char buf[5];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = read(fd, buf + got, sizeof buf - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    got += (size_t)n;
  }
  *type = (char)buf[0];
  *value = (int32_t)((uint32_t)buf[1] | (uint32_t)buf[2] << 8 | (uint32_t)buf[3] << 16 | (uint32_t)buf[4] << 24);
  return 1;
}

/* ---- what the worker may change on our descriptions, restored at the end ---- */

static struct {
  int flags;
  int tty;
  struct termios termios;
} saved[3];

static void save_stdio(void) {
  for (int fd = 0; fd < 3; fd++) {
    saved[fd].flags = fcntl(fd, F_GETFL);
    saved[fd].tty = isatty(fd) && tcgetattr(fd, &saved[fd].termios) == 0;
  }
}

static void restore_stdio(void) {
  for (int fd = 0; fd < 3; fd++) {
    if (saved[fd].tty) tcsetattr(fd, TCSANOW, &saved[fd].termios);
    if (saved[fd].flags >= 0) fcntl(fd, F_SETFL, saved[fd].flags);
  }
}

/* ---- the request ---- */

struct buffer {
  char *data;
  size_t size, cap;
};

static void put(struct buffer *b, const char *s) {
  size_t n = strlen(s) + 1;
  if (b->size + n > b->cap) {
    b->cap = (b->size + n) * 2;
    b->data = realloc(b->data, b->cap);
    if (b->data == NULL) exec_node("out of memory");
  }
  memcpy(b->data + b->size, s, n);
  b->size += n;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

/*
 * The namespaces and root we run in, as "net:INO,mnt:INO,…,root:DEV:INO": a
 * worker started elsewhere (`ip netns exec`, `unshare`, a chroot) would reach
 * other hosts and files than we do, so it leaves such a command to Node.
 */
static const char *where_we_run(void) {
  static char out[512];
  static const char *NAMESPACES[] = {"net", "mnt", "pid", "user", "uts", "ipc"};
  size_t at = 0;
  struct stat st;
  char path[64];
  for (size_t i = 0; i < sizeof NAMESPACES / sizeof NAMESPACES[0]; i++) {
    snprintf(path, sizeof path, "/proc/self/ns/%s", NAMESPACES[i]);
    unsigned long long ino = stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
    at += (size_t)snprintf(out + at, sizeof out - at, "%s:%llu,", NAMESPACES[i], ino);
  }
  if (stat("/", &st) == 0) snprintf(out + at, sizeof out - at, "root:%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
  return out;
}

static int send_request(int sock) {
  struct buffer b = {0};
  char cwd[PATH_MAX], number[32];
  if (getcwd(cwd, sizeof cwd) == NULL) return 0;
  put(&b, cwd);
  snprintf(number, sizeof number, "%u", (unsigned)getgid());
  put(&b, number);
  gid_t groups[NGROUPS_MAX];
  int count = getgroups(NGROUPS_MAX, groups);
  char list[NGROUPS_MAX * 12] = "";
  size_t at = 0;
  for (int i = 0; i < count; i++) at += (size_t)snprintf(list + at, sizeof list - at, i ? ",%u" : "%u", (unsigned)groups[i]);
  put(&b, list);
  put(&b, where_we_run());
  snprintf(number, sizeof number, "%d", cli_argc - 2);
  put(&b, number);
  for (int i = 2; i < cli_argc; i++) put(&b, cli_argv[i]);
  for (char **e = environ; *e != NULL; e++) put(&b, *e);

  mode_t mask = umask(0);
  umask(mask);
  unsigned char header[16];
  memcpy(header, "BRT1", 4);
  put_u32(header + 4, (uint32_t)b.size);
  put_u32(header + 8, (uint32_t)mask);
  put_u32(header + 12, 0);
  int fds[3] = {0, 1, 2};
  union {
    char buf[CMSG_SPACE(sizeof fds)];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {.iov_base = header, .iov_len = sizeof header};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  ssize_t n;
  while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  int ok = n == (ssize_t)sizeof header && write_all(sock, b.data, b.size);
  free(b.data);
  return ok;
}

/* ---- signals: written to a pipe by the handler, forwarded by the loop ---- */

static int signal_pipe[2];
static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP};
/* The worker running the command (its 'G' answer): stopped and continued with the launcher. */
static pid_t worker_pid;

static void on_signal(int signo) {
  int saved_errno = errno;
  unsigned char s = (unsigned char)signo;
  if (write(signal_pipe[1], &s, 1) < 0) {
    /* the pipe is full: the worker has plenty to do already */
  }
  errno = saved_errno;
}

static void forward_signals(void) {
  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof FORWARDED / sizeof FORWARDED[0]; i++) sigaction(FORWARDED[i], &sa, NULL);
}

static void die_of(int signo) {
  restore_stdio();
  signal(signo, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  raise(signo);
  _exit(128 + signo);
}

/*
 * Ctrl-Z: the shell's job is this launcher, so the worker (in the pool's own
 * session) is stopped with it, the terminal is given back as the user had it,
 * and on `fg`/`bg` (SIGCONT) the worker's terminal settings and the worker come back.
 */
static void suspend_with_worker(void) {
  struct termios current[3];
  int have[3];
  for (int fd = 0; fd < 3; fd++) have[fd] = isatty(fd) && tcgetattr(fd, &current[fd]) == 0;
  if (worker_pid > 0) kill(worker_pid, SIGSTOP);
  restore_stdio();
  raise(SIGSTOP);
  for (int fd = 0; fd < 3; fd++) {
    if (have[fd]) tcsetattr(fd, TCSADRAIN, &current[fd]);
  }
  if (worker_pid > 0) kill(worker_pid, SIGCONT);
}

/* Relays signals until the worker reports how the command ended. */
static int relay(int sock) {
  for (;;) {
    struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = signal_pipe[0], .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents & POLLIN) {
      unsigned char s;
      while (read(signal_pipe[0], &s, 1) == 1) {
        if (s == SIGTSTP) {
          suspend_with_worker();
          continue;
        }
        unsigned char message[5] = {'S'};
        put_u32(message + 1, s);
        write_all(sock, (char *)message, sizeof message);
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char type;
      int32_t value;
      if (!read_message(sock, &type, &value)) break;
      if (type == 'X') {
        restore_stdio();
        return value;
      }
      if (type == 'K') die_of(value);
    }
  }
  restore_stdio();
  fprintf(stderr, "berth: the CLI's worker process ended without an exit status (see the pool's log in the berth runtime directory)\n");
  return 1;
}

static int connect_to(const char *path) {
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(sock);
    return -1;
  }
  return sock;
}

/* The worker's first byte: it has accepted us. Anything else, or nothing in time: no. */
static int wait_ready(int sock) {
  struct ucred cred;
  socklen_t size = sizeof cred;
  if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0 || cred.uid != getuid()) return 0;
  struct pollfd p = {.fd = sock, .events = POLLIN};
  int ready;
  while ((ready = poll(&p, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR) {
  }
  char byte;
  return ready == 1 && read(sock, &byte, 1) == 1 && byte == 'R';
}

static int pooled(void) {
  const char *setting = getenv("BERTH_POOL");
  if (setting != NULL && setting[0] != '\0') return strcmp(setting, "0") != 0;
  return BERTH_POOL_DEFAULT;
}

int main(int argc, char **argv) {
  cli_argc = argc, cli_argv = argv;
  if (argc < 2) {
    fprintf(stderr, "usage: berth-launch /path/to/bin/berth [ARGS...]\n");
    return 2;
  }
  const char *dbg = getenv("BERTH_POOL_DEBUG");
  debug = dbg != NULL && dbg[0] != '\0' && strcmp(dbg, "0") != 0;
  if (!pooled()) exec_node("BERTH_POOL=0");
  const char *options = getenv("NODE_OPTIONS");
  if (options != NULL && options[0] != '\0') exec_node("NODE_OPTIONS is set");
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) < 0) exec_node("a standard descriptor is closed");
  }

  char script[PATH_MAX], root[PATH_MAX], dir[PATH_MAX], sock_path[PATH_MAX + 64], log[PATH_MAX + 64];
  if (realpath(argv[1], script) == NULL) exec_node("cannot resolve bin/berth");
  snprintf(root, sizeof root, "%s", script);
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(root, '/');
    if (slash == NULL) exec_node("cannot find the installation");
    *slash = '\0';
  }
  if (!pool_dir(dir, sizeof dir)) exec_node("no private runtime directory");
  uint64_t id = fnv1a(root);
  snprintf(sock_path, sizeof sock_path, "%s/pool-%016llx.sock", dir, (unsigned long long)id);
  snprintf(log, sizeof log, "%s/pool-%016llx.log", dir, (unsigned long long)id);
  if (strlen(sock_path) >= sizeof((struct sockaddr_un *)0)->sun_path) exec_node("socket path too long");

  int sock = connect_to(sock_path);
  if (sock < 0) {
    start_pool(root, sock_path, log);
    exec_node("no pool yet: started one");
  }
  if (!wait_ready(sock)) exec_node("no worker took the command");
  save_stdio();
  forward_signals();
  if (!send_request(sock)) exec_node("could not send the command");
  /* The worker's first answer: 'G' and its pid, or 'F' (the installation changed, or this environment needs a fresh Node). */
  char type;
  int32_t value;
  struct pollfd p = {.fd = sock, .events = POLLIN};
  int ready;
  while ((ready = poll(&p, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR) {
  }
  if (ready != 1 || !read_message(sock, &type, &value) || type != 'G') {
    /* The descriptors went to a worker that runs nothing with them: Node runs the command. */
    exec_node("the worker cannot run it here");
  }
  worker_pid = (pid_t)value;
  if (debug) fprintf(stderr, "berth-launch: pooled worker %d\n", (int)value);
  return relay(sock);
}
