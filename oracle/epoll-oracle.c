/*
 * epoll-oracle: run a `.ops` script (see shared/conformance/FORMAT.md) on the host kernel.
 *
 *   epoll-oracle [--header] [--batch] [SCRIPT | -]
 *
 * With --batch the input is many scripts, each ended by a line holding only the ASCII RS
 * character (0x1e). Each runs in its own forked process (so each starts from descriptors
 * 0-2, as a single run does) with its stderr sent to stdout, and its output is followed by
 * a line of RS and its exit status (`\x1e0`). Forking is much cheaper than starting one
 * process per script from the test harness.
 *
 * The whole script is parsed and checked before anything runs, so a malformed script prints
 * nothing on stdout: one message on stderr naming the line, and exit status 2. Once running,
 * every line prints exactly one canonical output line (the model must print the same).
 *
 * Decisions that FORMAT.md leaves open (mirrored by the TypeScript side in src/conformance):
 *  - epoll_event.data.u64 is an index into the label table: the FD token as written (a name,
 *    or `@N`) by the add/mod/ctl that last set the item's data (MOD replaces it, as the
 *    kernel does), so a wait names what the item was registered under.
 *  - `order sorted` sorts by label with strcmp; equal labels keep the kernel's order.
 *  - unnamed event bits print as one hex number (`0x20`) after the named ones.
 *  - `fill`/`drain` on an eventfd: fill writes descending powers of two until the counter
 *    is at its maximum; drain reads until EAGAIN; both print 8 bytes per successful call.
 *    Other files move 65536-byte chunks. Both stop after 16 MiB (a regular file never says
 *    EAGAIN). A failure before any byte moved prints the errno name.
 *  - `read` on an eventfd always reads 8 bytes (N is ignored).
 *  - `poll` passes the low 16 bits of FLAGS (pollfd.events is a short) and prints revents.
 *  - An eventfd is known by what the script created at that descriptor number, so a stale
 *    name whose number was reused reaches whatever now holds the number.
 *  - `expect` after a failed wait/poll prints `MISMATCH got ERRNO`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TOKENS 16
#define CHUNK 65536
#define MOVE_CAP (16 * 1024 * 1024)
#define MAX_SAFE 9007199254740991LL /* 2^53 - 1: what a JSON number holds exactly */

enum op {
	OP_ORDER, OP_ECHO, OP_CREATE, OP_PIPE, OP_SOCKETPAIR, OP_EVENTFD, OP_FILE, OP_DUP,
	OP_ADD, OP_MOD, OP_DEL, OP_CTL, OP_WAIT, OP_POLL, OP_WRITE, OP_READ, OP_FILL,
	OP_DRAIN, OP_SHUTDOWN, OP_CLOSE, OP_EXPECT
};

static const char *const op_names[] = {
	"order", "echo", "create", "pipe", "socketpair", "eventfd", "file", "dup",
	"add", "mod", "del", "ctl", "wait", "poll", "write", "read", "fill",
	"drain", "shutdown", "close", "expect"
};

/* A descriptor operand: a label (name or `@N`) and, for names, the slot that holds its fd. */
struct ref {
	int label;	/* index into labels[] */
	int raw;	/* 1 for `@N` */
	int rawfd;
};

struct line {
	int lineno;
	enum op op;
	char *text;	/* tokens joined by single spaces: echoed before ` -> ` */
	char *echo;	/* echo: the text to print */
	struct ref a, b;	/* operands, by op: (ep, fd), (fd), (src) */
	int def0, def1;	/* labels this line (re)defines, -1 if none */
	long long n0, n1;	/* numbers: maxevents/timeout, count, opnum, init */
	uint32_t flags;
	int sem;
};

struct label {
	char *text;
	int fd;
	int defined;	/* parse-time: has a defining line been seen */
};

static struct label *labels;
static int nlabels, caplabels;
static struct line *lines;
static int nlines, caplines;

/* What the script created at each fd number; only eventfd changes how bytes move. */
enum kind { K_NONE, K_OTHER, K_EVENTFD };
#define KIND_MAX 65536
static unsigned char kinds[KIND_MAX];

static const struct flagname { const char *name; uint32_t bit; } flagnames[] = {
	{"IN", EPOLLIN}, {"PRI", EPOLLPRI}, {"OUT", EPOLLOUT}, {"ERR", EPOLLERR},
	{"HUP", EPOLLHUP}, {"RDNORM", EPOLLRDNORM}, {"RDBAND", EPOLLRDBAND},
	{"WRNORM", EPOLLWRNORM}, {"WRBAND", EPOLLWRBAND}, {"MSG", EPOLLMSG},
	{"RDHUP", EPOLLRDHUP}, {"EXCLUSIVE", 1u << 28}, {"WAKEUP", 1u << 29},
	{"ONESHOT", 1u << 30}, {"ET", 1u << 31},
};
#define NFLAGS (sizeof(flagnames) / sizeof(flagnames[0]))

static const struct errname { int num; const char *name; } errnames[] = {
	{EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {EINTR, "EINTR"},
	{EIO, "EIO"}, {ENXIO, "ENXIO"}, {E2BIG, "E2BIG"}, {EBADF, "EBADF"},
	{EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"},
	{EBUSY, "EBUSY"}, {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"}, {ENOTDIR, "ENOTDIR"},
	{EISDIR, "EISDIR"}, {EINVAL, "EINVAL"}, {ENFILE, "ENFILE"}, {EMFILE, "EMFILE"},
	{EFBIG, "EFBIG"}, {ENOSPC, "ENOSPC"}, {ESPIPE, "ESPIPE"}, {EROFS, "EROFS"},
	{EPIPE, "EPIPE"}, {ERANGE, "ERANGE"}, {ENOSYS, "ENOSYS"}, {ELOOP, "ELOOP"},
	{ENOTSOCK, "ENOTSOCK"}, {EOPNOTSUPP, "EOPNOTSUPP"}, {ENOTCONN, "ENOTCONN"},
	{ECONNRESET, "ECONNRESET"}, {ESHUTDOWN, "ESHUTDOWN"}, {ETIMEDOUT, "ETIMEDOUT"},
};

static const char *errname(int e)
{
	static char buf[32];

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].num == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "ERRNO%d", e);
	return buf;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("epoll-oracle");
		exit(3);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static int cur_lineno;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "epoll-oracle: line %d: ", cur_lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ---- parsing ------------------------------------------------------------------------- */

static int label_find(const char *text)
{
	for (int i = 0; i < nlabels; i++)
		if (strcmp(labels[i].text, text) == 0)
			return i;
	if (nlabels == caplabels) {
		caplabels = caplabels ? caplabels * 2 : 64;
		labels = xrealloc(labels, caplabels * sizeof(*labels));
	}
	labels[nlabels] = (struct label){ xstrdup(text), -1, 0 };
	return nlabels++;
}

static int is_name(const char *s)
{
	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* Canonical decimal only (no '+', no leading zeros, no "-0"): scripts re-serialise as written. */
static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
	const char *p = s;
	long long v = 0;
	int neg = 0;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!*p || (p[0] == '0' && (p[1] || neg)))
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (MAX_SAFE - (*p - '0')) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

static long long need_int(const char *s, long long lo, long long hi, const char *what)
{
	long long v;

	if (!parse_int(s, lo, hi, &v))
		die("bad %s '%s' (an integer in %lld..%lld)", what, s, lo, hi);
	return v;
}

/* One flag term: a name from the table, canonical decimal, or 0x hex (lower-case digits). */
static int parse_flag_term(const char *s, uint32_t *out)
{
	long long v;

	for (size_t i = 0; i < NFLAGS; i++)
		if (strcmp(s, flagnames[i].name) == 0) {
			*out = flagnames[i].bit;
			return 1;
		}
	if (s[0] == '0' && s[1] == 'x') {
		const char *p = s + 2;
		unsigned long long h = 0;

		if (!*p || (p[0] == '0' && p[1]))
			return 0;
		for (; *p; p++) {
			int d = (*p >= '0' && *p <= '9') ? *p - '0' :
				(*p >= 'a' && *p <= 'f') ? *p - 'a' + 10 : -1;
			if (d < 0 || h > 0xfffffffULL)
				return 0;
			h = h * 16 + d;
		}
		*out = (uint32_t)h;
		return 1;
	}
	if (!parse_int(s, 0, 0xffffffffLL, &v))
		return 0;
	*out = (uint32_t)v;
	return 1;
}

static uint32_t need_flags(const char *s)
{
	char buf[256], *save = NULL, *t;
	uint32_t mask = 0, bit;

	if (strlen(s) >= sizeof(buf) || !*s || s[0] == '|' || s[strlen(s) - 1] == '|' ||
	    strstr(s, "||"))
		die("malformed flags '%s'", s);
	strcpy(buf, s);
	for (t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		if (!parse_flag_term(t, &bit))
			die("unknown flag '%s' in '%s'", t, s);
		mask |= bit;
	}
	return mask;
}

static struct ref need_ref(const char *tok)
{
	struct ref r = { 0, 0, -1 };
	long long v;

	if (tok[0] == '@') {
		if (!parse_int(tok + 1, -2147483648LL, 2147483647LL, &v))
			die("bad raw descriptor '%s'", tok);
		r.raw = 1;
		r.rawfd = (int)v;
		r.label = label_find(tok);
		return r;
	}
	if (!is_name(tok))
		die("bad name '%s'", tok);
	r.label = label_find(tok);
	if (!labels[r.label].defined)
		die("undefined name '%s'", tok);
	return r;
}

static int define_name(const char *base, const char *suffix)
{
	char buf[256];
	int l;

	if (!is_name(base) || strlen(base) + strlen(suffix) >= sizeof(buf))
		die("bad name '%s'", base);
	strcpy(buf, base);
	strcat(buf, suffix);
	l = label_find(buf);
	labels[l].defined = 1;
	return l;
}

static void need_argc(int ntok, int lo, int hi, const char *usage)
{
	if (ntok - 1 < lo || ntok - 1 > hi)
		die("usage: %s", usage);
}

/* Fill in a line's operands from its tokens; the op has already been identified. */
static void parse_operands(struct line *l, char **tok, int ntok, int *seen_count)
{
	switch (l->op) {
	case OP_ORDER:
		need_argc(ntok, 1, 1, "order sorted|kernel");
		if (strcmp(tok[1], "sorted") && strcmp(tok[1], "kernel"))
			die("order must be 'sorted' or 'kernel', not '%s'", tok[1]);
		l->n0 = strcmp(tok[1], "kernel") == 0;
		break;
	case OP_ECHO:
		break;
	case OP_CREATE:
	case OP_FILE:
		need_argc(ntok, 1, 1, l->op == OP_CREATE ? "create EP" : "file F");
		l->def0 = define_name(tok[1], "");
		break;
	case OP_PIPE:
		need_argc(ntok, 1, 1, "pipe P");
		l->def0 = define_name(tok[1], "r");
		l->def1 = define_name(tok[1], "w");
		break;
	case OP_SOCKETPAIR:
		need_argc(ntok, 1, 1, "socketpair S");
		l->def0 = define_name(tok[1], "0");
		l->def1 = define_name(tok[1], "1");
		break;
	case OP_EVENTFD: {
		int i = 2;

		need_argc(ntok, 1, 3, "eventfd E [INIT] [sem]");
		l->n0 = -1;
		if (i < ntok && strcmp(tok[i], "sem") != 0)
			l->n0 = need_int(tok[i++], 0, 0xffffffffLL, "initial value");
		if (i < ntok && strcmp(tok[i++], "sem") != 0)
			die("usage: eventfd E [INIT] [sem]");
		l->sem = i == ntok && ntok > 2 && strcmp(tok[ntok - 1], "sem") == 0;
		if (i != ntok)
			die("usage: eventfd E [INIT] [sem]");
		l->def0 = define_name(tok[1], "");
		break;
	}
	case OP_DUP:
		need_argc(ntok, 2, 2, "dup FD NEW");
		l->a = need_ref(tok[1]);
		l->def0 = define_name(tok[2], "");
		break;
	case OP_ADD:
	case OP_MOD:
		need_argc(ntok, 3, 3, l->op == OP_ADD ? "add EP FD FLAGS" : "mod EP FD FLAGS");
		l->a = need_ref(tok[1]);
		l->b = need_ref(tok[2]);
		l->flags = need_flags(tok[3]);
		break;
	case OP_DEL:
		need_argc(ntok, 2, 2, "del EP FD");
		l->a = need_ref(tok[1]);
		l->b = need_ref(tok[2]);
		break;
	case OP_CTL:
		need_argc(ntok, 4, 4, "ctl EP OPNUM FD FLAGS");
		l->a = need_ref(tok[1]);
		l->n0 = need_int(tok[2], -2147483648LL, 2147483647LL, "op number");
		l->b = need_ref(tok[3]);
		l->flags = need_flags(tok[4]);
		break;
	case OP_WAIT:
		need_argc(ntok, 3, 3, "wait EP MAXEVENTS TIMEOUT_MS");
		l->a = need_ref(tok[1]);
		l->n0 = need_int(tok[2], -2147483648LL, 2147483647LL, "maxevents");
		l->n1 = need_int(tok[3], -2147483648LL, 2147483647LL, "timeout");
		*seen_count = 1;
		break;
	case OP_POLL:
		need_argc(ntok, 3, 3, "poll FD FLAGS TIMEOUT_MS");
		l->a = need_ref(tok[1]);
		l->flags = need_flags(tok[2]);
		l->n1 = need_int(tok[3], -2147483648LL, 2147483647LL, "timeout");
		*seen_count = 1;
		break;
	case OP_WRITE:
	case OP_READ:
		need_argc(ntok, 2, 2, l->op == OP_WRITE ? "write FD N" : "read FD N");
		l->a = need_ref(tok[1]);
		l->n0 = need_int(tok[2], 0, MAX_SAFE, "count");
		break;
	case OP_FILL:
	case OP_DRAIN:
	case OP_CLOSE:
		need_argc(ntok, 1, 1, l->op == OP_FILL ? "fill FD" :
			  l->op == OP_DRAIN ? "drain FD" : "close FD");
		l->a = need_ref(tok[1]);
		break;
	case OP_SHUTDOWN:
		need_argc(ntok, 2, 2, "shutdown S rd|wr|rdwr");
		l->a = need_ref(tok[1]);
		if (strcmp(tok[2], "rd") == 0)
			l->n0 = SHUT_RD;
		else if (strcmp(tok[2], "wr") == 0)
			l->n0 = SHUT_WR;
		else if (strcmp(tok[2], "rdwr") == 0)
			l->n0 = SHUT_RDWR;
		else
			die("shutdown mode must be rd, wr or rdwr, not '%s'", tok[2]);
		break;
	case OP_EXPECT:
		need_argc(ntok, 1, 1, "expect N");
		l->n0 = need_int(tok[1], -2147483648LL, 2147483647LL, "count");
		if (!*seen_count)
			die("expect without an earlier wait or poll");
		break;
	}
}

/* Split one source line; returns 0 for a blank or comment-only line. */
static int parse_line(char *src, int lineno, int *seen_count)
{
	char *tok[MAX_TOKENS + 1], *hash, *p, *echo_at = NULL;
	int ntok = 0, opi;
	size_t len;
	struct line *l;

	cur_lineno = lineno;
	if ((hash = strchr(src, '#')))
		*hash = '\0';
	len = strlen(src);
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t' || src[len - 1] == '\r' ||
		       src[len - 1] == '\n'))
		src[--len] = '\0';
	for (p = src; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return 0;
	if (strncmp(p, "echo", 4) == 0 && (p[4] == '\0' || p[4] == ' ' || p[4] == '\t')) {
		/* The text is printed as written: only the op word is split off. */
		echo_at = p[4] ? p + 5 : p + 4;
		tok[ntok++] = "echo";
		p += strlen(p);
	}
	for (; *p; ) {
		if (ntok == MAX_TOKENS)
			die("too many tokens");
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (nlines == caplines) {
		caplines = caplines ? caplines * 2 : 256;
		lines = xrealloc(lines, caplines * sizeof(*lines));
	}
	l = &lines[nlines];
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	l->def0 = l->def1 = -1;
	opi = -1;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strcmp(tok[0], op_names[i]) == 0)
			opi = (int)i;
	if (opi < 0)
		die("unknown op '%s'", tok[0]);
	l->op = (enum op)opi;
	if (l->op == OP_ECHO) {
		l->echo = echo_at;
	} else {
		size_t n = 1;

		for (int i = 0; i < ntok; i++)
			n += strlen(tok[i]) + 1;
		l->text = xrealloc(NULL, n);
		l->text[0] = '\0';
		for (int i = 0; i < ntok; i++) {
			if (i)
				strcat(l->text, " ");
			strcat(l->text, tok[i]);
		}
	}
	parse_operands(l, tok, ntok, seen_count);
	nlines++;
	return 1;
}

/* Echo text is kept by pointer into the source, so the source buffer lives until exit. */
static void parse_script(char *buf)
{
	int lineno = 0, seen_count = 0;
	char *p = buf, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		parse_line(p, ++lineno, &seen_count);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static char *read_all(FILE *f)
{
	size_t n = 0, cap = 65536, got;
	char *buf = xrealloc(NULL, cap);

	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	if (ferror(f)) {
		perror("epoll-oracle: reading the script");
		exit(3);
	}
	if (memchr(buf, '\0', n)) {
		fprintf(stderr, "epoll-oracle: the script contains a NUL byte\n");
		exit(2);
	}
	buf[n] = '\0';
	return buf;
}

/* ---- running ------------------------------------------------------------------------- */

static int order_kernel;
static int last_count, last_err = -1;	/* last_err < 0: no wait/poll ran yet */

static void format_flags(uint32_t m, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFLAGS; i++)
		if (m & flagnames[i].bit) {
			n += snprintf(buf + n, size - n, "%s%s", n ? "|" : "", flagnames[i].name);
			m &= ~flagnames[i].bit;
		}
	if (m)
		n += snprintf(buf + n, size - n, "%s0x%x", n ? "|" : "", m);
	if (!n)
		snprintf(buf, size, "0");
}

static void emit(const struct line *l, const char *fmt, ...)
{
	va_list ap;

	printf("%s -> ", l->text);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print `ok`, or the errno name when the call returned < 0. */
static void emit_status(const struct line *l, long rc)
{
	if (rc < 0)
		emit(l, "%s", errname(errno));
	else
		emit(l, "ok");
}

static void emit_count(const struct line *l, long long rc)
{
	if (rc < 0)
		emit(l, "%s", errname(errno));
	else
		emit(l, "%lld", rc);
}

static int fd_of(struct ref r)
{
	return r.raw ? r.rawfd : labels[r.label].fd;
}

static enum kind kind_of(int fd)
{
	return fd >= 0 && fd < KIND_MAX ? (enum kind)kinds[fd] : K_NONE;
}

static void bind_label(int label, int fd, enum kind k)
{
	labels[label].fd = fd;
	if (fd >= 0 && fd < KIND_MAX)
		kinds[fd] = (unsigned char)k;
}

/* An unlinked regular file: O_TMPFILE where the file system has it, else mkstemp + unlink. */
static int make_file(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/epoll-oracle-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void *buffer(size_t n)
{
	static void *buf;
	static size_t cap;

	if (n > cap) {
		if (buf)
			munmap(buf, cap);
		/* Anonymous pages: zero-filled and only touched as far as the kernel copies. */
		buf = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			perror("epoll-oracle: buffer");
			exit(3);
		}
		cap = n;
	}
	return buf;
}

static void run_create(const struct line *l)
{
	int fds[2] = { -1, -1 }, rc = 0;

	switch (l->op) {
	case OP_CREATE:
		rc = fds[0] = epoll_create1(0);
		break;
	case OP_PIPE:
		rc = pipe2(fds, O_NONBLOCK);
		break;
	case OP_SOCKETPAIR:
		rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds);
		break;
	case OP_EVENTFD:
		rc = fds[0] = eventfd(l->n0 < 0 ? 0 : (unsigned)l->n0,
				      EFD_NONBLOCK | (l->sem ? EFD_SEMAPHORE : 0));
		break;
	case OP_FILE:
		rc = fds[0] = make_file();
		break;
	case OP_DUP:
		rc = fds[0] = dup(fd_of(l->a));
		break;
	default:
		break;
	}
	if (rc < 0)
		fds[0] = fds[1] = -1;
	bind_label(l->def0, fds[0], l->op == OP_EVENTFD ? K_EVENTFD :
	     l->op == OP_DUP ? kind_of(fd_of(l->a)) : K_OTHER);
	if (l->def1 >= 0)
		bind_label(l->def1, fds[1], K_OTHER);
	emit_status(l, rc);
}

static void run_ctl(const struct line *l)
{
	struct epoll_event ev = { .events = l->flags, .data.u64 = (uint64_t)l->b.label };
	int op = l->op == OP_ADD ? EPOLL_CTL_ADD : l->op == OP_MOD ? EPOLL_CTL_MOD :
		 l->op == OP_DEL ? EPOLL_CTL_DEL : (int)l->n0;

	if (l->op == OP_DEL)
		ev.events = 0;
	emit_status(l, epoll_ctl(fd_of(l->a), op, fd_of(l->b), &ev));
}

static int by_label(const void *x, const void *y)
{
	const struct epoll_event *a = x, *b = y;

	return strcmp(labels[a->data.u64].text, labels[b->data.u64].text);
}

/* Stable: equal labels (one name registered twice) keep the kernel's order. */
static void sort_events(struct epoll_event *ev, int n)
{
	for (int i = 1; i < n; i++) {
		struct epoll_event key = ev[i];
		int j = i - 1;

		while (j >= 0 && by_label(&ev[j], &key) > 0) {
			ev[j + 1] = ev[j];
			j--;
		}
		ev[j + 1] = key;
	}
}

static void run_wait(const struct line *l)
{
	/* Each item is reported at most once per call, so nlines entries always suffice. */
	struct epoll_event *ev = buffer((size_t)(nlines + 16) * sizeof(*ev));
	int n = epoll_wait(fd_of(l->a), ev, (int)l->n0, (int)l->n1);
	char flags[256];

	if (n < 0) {
		last_err = errno;
		emit_count(l, n);
		return;
	}
	last_err = 0;
	last_count = n;
	if (!order_kernel)
		sort_events(ev, n);
	printf("%s -> %d%s", l->text, n, n ? ":" : "");
	for (int i = 0; i < n; i++) {
		format_flags(ev[i].events, flags, sizeof(flags));
		printf(" %s=%s", labels[ev[i].data.u64].text, flags);
	}
	putchar('\n');
}

static void run_poll(const struct line *l)
{
	struct pollfd p = { .fd = fd_of(l->a), .events = (short)l->flags };
	int n = poll(&p, 1, (int)l->n1);
	char flags[256];

	if (n < 0) {
		last_err = errno;
		emit_count(l, n);
		return;
	}
	last_err = 0;
	last_count = n;
	format_flags((uint16_t)p.revents, flags, sizeof(flags));
	if (n)
		emit(l, "%d: %s", n, flags);
	else
		emit(l, "0");
}

/* fill/drain: keep moving until EAGAIN/EOF; an error before anything moved is the result. */
static long long move_until_eagain(int fd, int writing)
{
	long long total = 0;
	void *buf = buffer(CHUNK);
	int efd = kind_of(fd) == K_EVENTFD;
	int bit = 63;

	while (total < MOVE_CAP) {
		uint64_t v = efd && writing ? 1ULL << bit : 0;
		ssize_t rc = efd ? (writing ? write(fd, &v, 8) : read(fd, &v, 8)) :
			     writing ? write(fd, buf, CHUNK) : read(fd, buf, CHUNK);

		if (rc < 0 && errno == EAGAIN && efd && writing && bit > 0) {
			bit--;
			continue;
		}
		if (rc < 0)
			return total || errno == EAGAIN ? total : -1;
		if (rc == 0)
			break;
		total += rc;
	}
	return total;
}

static void run_io(const struct line *l)
{
	int fd = fd_of(l->a);
	int efd = kind_of(fd) == K_EVENTFD;
	uint64_t v = (uint64_t)l->n0;
	ssize_t rc;

	switch (l->op) {
	case OP_WRITE:
		if (efd) {
			emit_status(l, write(fd, &v, 8));
			return;
		}
		rc = write(fd, buffer(l->n0 ? (size_t)l->n0 : 1), (size_t)l->n0);
		break;
	case OP_READ:
		if (efd) {
			/* The counter is a u64: print it unsigned (it reaches 2^64 - 2). */
			if (read(fd, &v, 8) < 0) {
				emit(l, "%s", errname(errno));
				return;
			}
			emit(l, "%llu", (unsigned long long)v);
			return;
		}
		rc = read(fd, buffer(l->n0 ? (size_t)l->n0 : 1), (size_t)l->n0);
		break;
	default:
		rc = move_until_eagain(fd, l->op == OP_FILL);
		break;
	}
	emit_count(l, rc);
}

static void run_expect(const struct line *l)
{
	if (last_err > 0)
		emit(l, "MISMATCH got %s", errname(last_err));
	else if (last_count != l->n0)
		emit(l, "MISMATCH got %d", last_count);
	else
		emit(l, "ok");
}

static void run_line(const struct line *l)
{
	int fd, rc;

	switch (l->op) {
	case OP_ORDER:
		order_kernel = (int)l->n0;
		emit(l, "ok");
		break;
	case OP_ECHO:
		printf("%s\n", l->echo);
		break;
	case OP_CREATE: case OP_PIPE: case OP_SOCKETPAIR: case OP_EVENTFD: case OP_FILE:
	case OP_DUP:
		run_create(l);
		break;
	case OP_ADD: case OP_MOD: case OP_DEL: case OP_CTL:
		run_ctl(l);
		break;
	case OP_WAIT:
		run_wait(l);
		break;
	case OP_POLL:
		run_poll(l);
		break;
	case OP_WRITE: case OP_READ: case OP_FILL: case OP_DRAIN:
		run_io(l);
		break;
	case OP_SHUTDOWN:
		emit_status(l, shutdown(fd_of(l->a), (int)l->n0));
		break;
	case OP_CLOSE:
		fd = fd_of(l->a);
		rc = close(fd);
		if (rc == 0 && kind_of(fd) != K_NONE)
			kinds[fd] = K_NONE;
		emit_status(l, rc);
		break;
	case OP_EXPECT:
		run_expect(l);
		break;
	}
}

/* The script must start from descriptors 0-2 only, so that fd numbers match the model's. */
static void fresh_fd_table(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			perror("epoll-oracle: stdio");
			exit(3);
		}
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
#endif
	for (int fd = 3; fd < 65536; fd++)
		close(fd);
}

static void print_header(void)
{
	struct utsname u;

	uname(&u);
	printf("# kernel: %s\n", u.release);
}

/* Run one parsed-from-text script in this process and exit with its status. */
static void run_script(char *src)
{
	parse_script(src);
	fresh_fd_table();
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < nlines; i++)
		run_line(&lines[i]);
	exit(fflush(stdout) == 0 ? 0 : 3);
}

/* The next separator: a line holding only RS, or NULL. */
static char *next_separator(char *from, char *start)
{
	for (char *p = strchr(from, '\x1e'); p; p = strchr(p + 1, '\x1e'))
		if ((p == start || p[-1] == '\n') && (p[1] == '\n' || p[1] == '\0'))
			return p;
	return NULL;
}

static int run_batch(char *all)
{
	char *p = all, *sep;
	int status;

	while ((sep = next_separator(p, all))) {
		pid_t pid;

		*sep = '\0';
		if (fflush(stdout) != 0)
			return 3;
		pid = fork();
		if (pid < 0) {
			perror("epoll-oracle: fork");
			return 3;
		}
		if (pid == 0) {
			dup2(1, 2);
			run_script(p);
		}
		if (waitpid(pid, &status, 0) < 0) {
			perror("epoll-oracle: waitpid");
			return 3;
		}
		printf("\x1e%d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status));
		p = sep[1] ? sep + 2 : sep + 1;
	}
	return fflush(stdout) == 0 ? 0 : 3;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int header = 0, batch = 0;
	FILE *f = stdin;
	char *src;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--header") == 0) {
			header = 1;
		} else if (strcmp(argv[i], "--batch") == 0) {
			batch = 1;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "usage: epoll-oracle [--header] [--batch] [SCRIPT | -]\n");
			return 2;
		}
	}
	if (path && strcmp(path, "-") != 0 && !(f = fopen(path, "r"))) {
		fprintf(stderr, "epoll-oracle: %s: %s\n", path, strerror(errno));
		return 2;
	}
	src = read_all(f);
	if (f != stdin)
		fclose(f);
	if (batch) {
		if (header)
			print_header();
		return run_batch(src);
	}
	parse_script(src);
	fresh_fd_table();
	signal(SIGPIPE, SIG_IGN);
	if (header)
		print_header();
	for (int i = 0; i < nlines; i++)
		run_line(&lines[i]);
	return fflush(stdout) == 0 ? 0 : 3;
}
