/*
 * dsd-recv: a strict DogStatsD receiver (and sender) for hopwatch tests.
 *
 *   dsd-recv -u HOST:PORT | -U PATH [-m BYTES] [-o FILE] [-D] [-t SECONDS]
 *            [-n COUNT] [-r FILE]            listen, validate, print
 *   dsd-recv -p [-o FILE] [-n COUNT]         validate stdin, one message a line
 *   dsd-recv -S [-1] -u HOST:PORT | -U PATH  send stdin: a datagram per line
 *                                            (newline kept), or all of stdin
 *                                            as one with -1
 *
 * Every line of a datagram must end with a newline, the last one too, as
 * the official clients send them (the agent may be set to drop an
 * unterminated last line).
 *
 * A datagram may hold at most -m bytes; by default 8192 over a Unix
 * socket, 8192 over UDP to a loopback address (its route's MTU is 65536,
 * and hopwatchd sizes datagrams by the route), else 1432.
 *
 * Every valid line is printed exactly as received.  Every invalid datagram
 * or line is reported as "dsd-recv: invalid: <reason>: <line>" on stderr
 * (and as "INVALID dsd-recv: ..." in the -o file), and makes the exit
 * status 3.  The wire format is Datadog's DogStatsD datagram format
 * (https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/); where the
 * agent is lenient (field order, odd characters) this is deliberately not:
 * it exists to catch encoder bugs.
 *
 * Exit: 0 all valid, 3 something invalid, 1 system error, 2 usage.
 * The parser (parse_line and below) is pure: no I/O, no state.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define ERRLEN 160          /* room for one reason text */
#define NAME_MAX_LEN 200    /* longest metric / service check name, bytes */
#define RECV_BUF 65536      /* receive buffer; larger datagrams are cut */
#define UDP_MAX_DEFAULT 1432
#define UNIX_MAX_DEFAULT 8192
/* UDP to a loopback address: the route's MTU (65536) is above 1500, so
 * hopwatchd sends up to the agent's buffer size (statsd_udp_max) */
#define UDP_LOOPBACK_MAX 8192

/* Whether `ss` is a loopback address (127/8, ::1, ::ffff:127/104). */
static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}

/* Command line options: the only state that lives for the whole run. */
struct opts {
	const char *udp;         /* -u HOST:PORT to listen on / send to */
	const char *unix_path;   /* -U PATH of a Unix datagram socket */
	size_t max_bytes;        /* -m largest valid datagram, bytes; 0 = transport default */
	const char *out_path;    /* -o output file instead of stdout */
	int headers;             /* -D print "# datagram N bytes K lines" headers */
	unsigned lifetime;       /* -t seconds before exiting, 0 = no limit */
	unsigned long max_lines; /* -n exit after this many lines, 0 = no limit */
	int parse_mode;          /* -p validate stdin lines, no socket */
	const char *ready;       /* -r file touched once the socket is bound */
	int send_mode;           /* -S send stdin instead of receiving */
	int send_whole;          /* -1 with -S: all of stdin is one datagram */
};

/* Where results go, and what has been seen so far. */
struct sink {
	FILE *out;               /* stdout or the -o file */
	int to_file;             /* 1 when out is the -o file (gets INVALID lines too) */
	int headers;             /* copy of -D */
	unsigned long lines;     /* lines seen, valid or not */
	unsigned long invalid;   /* invalid lines and datagrams */
};

/* ------------------------------------------------------------------ */
/* Parser: pure functions over one NUL-terminated line.                 */

static int fail(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write a reason into err; always returns -1 so callers can return it. */
static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERRLEN, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* [A-Za-z][A-Za-z0-9_.]*, at most NAME_MAX_LEN bytes. */
static int check_name(const char *s, size_t n, char *err)
{
	if (n == 0)
		return fail(err, "empty name");
	if (n > NAME_MAX_LEN)
		return fail(err, "name longer than %d bytes", NAME_MAX_LEN);
	if (!is_alpha((unsigned char)s[0]))
		return fail(err, "name must start with a letter");
	for (size_t i = 1; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '.')
			return fail(err, "bad character '%c' in name", c);
	}
	return 0;
}

/* One or more decimal digits. */
static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* -?[0-9]+(\.[0-9]+)? ; the sign only when signed is set. */
static int is_number(const char *s, size_t n, int signed_ok)
{
	size_t i = 0, d;

	if (signed_ok && n > 0 && s[0] == '-')
		i++;
	for (d = i; i < n && is_digit((unsigned char)s[i]); i++)
		;
	if (i == d)
		return 0;
	if (i == n)
		return 1;
	if (s[i] != '.')
		return 0;
	return all_digits(s + i + 1, n - i - 1);
}

/* Tags field body (after '#'): comma-separated, each non-empty, no '#',
 * and a non-empty key when the tag has a ':'. */
static int check_tags(const char *s, size_t n, char *err)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ',')
			continue;
		const char *t = s + start;
		size_t tl = i - start;
		if (tl == 0)
			return fail(err, "empty tag");
		if (memchr(t, '#', tl))
			return fail(err, "'#' inside tag '%.*s'", (int)tl, t);
		if (t[0] == ':')
			return fail(err, "empty key in tag '%.*s'", (int)tl, t);
		start = i + 1;
	}
	return 0;
}

/* Index of the n-byte string s in list, or -1. */
static int one_of(const char *s, size_t n, const char *const *list, int nlist)
{
	for (int i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && !memcmp(s, list[i], n))
			return i;
	return -1;
}

/* Step to the next '|'-separated field after *pp; 0 at the end of the line. */
static int next_field(const char **pp, const char **f, size_t *fl)
{
	const char *p = *pp, *end;

	if (*p != '|')
		return 0;
	*f = p + 1;
	end = strchr(*f, '|');
	if (!end)
		end = *f + strlen(*f);
	*fl = (size_t)(end - *f);
	*pp = end;
	return 1;
}

/* Which of the known prefixes (in canonical order) starts field f;
 * -1 when none.  Also enforces canonical order and no duplicates,
 * given the index of the previous field in *last. */
static int field_kind(const char *f, size_t fl, const char *const *prefixes,
		      int nprefixes, int *last, char *err)
{
	int k;

	if (fl == 0)
		return fail(err, "empty field");
	for (k = 0; k < nprefixes; k++)
		if (!strncmp(f, prefixes[k], strlen(prefixes[k])))
			break;
	if (k == nprefixes)
		return fail(err, "unknown field '%.*s'", (int)fl, f);
	if (k == *last)
		return fail(err, "duplicate field '%s'", prefixes[k]);
	if (k < *last)
		return fail(err, "field '%s' out of order", prefixes[k]);
	*last = k;
	return k;
}

/* Metric: <name>:<value>[:<value>...]|<type>[|@rate][|#tags][|c:id][|Tts].
 * Multiple values for every type but s; a set value is any non-empty text
 * without ':' or '|'.  @rate only for c h d ms; T only for g and c. */
static int parse_metric(const char *line, char *err)
{
	static const char *const types[] = { "c", "g", "ms", "h", "s", "d" };
	static const char *const fields[] = { "@", "#", "c:", "T" };
	const char *colon = strchr(line, ':'), *vals, *bar, *type, *p, *f;
	size_t tl, fl;
	int t, k, last = -1;

	if (!colon)
		return fail(err, "no ':' after the metric name");
	if (check_name(line, (size_t)(colon - line), err))
		return -1;
	vals = colon + 1;
	bar = strchr(vals, '|');
	if (!bar)
		return fail(err, "no '|<type>'");
	type = bar + 1;
	tl = strcspn(type, "|");
	if ((t = one_of(type, tl, types, 6)) < 0)
		return fail(err, "unknown type '%.*s'", (int)tl, type);

	if (!strcmp(types[t], "s")) {
		if (bar == vals)
			return fail(err, "empty set value");
		if (memchr(vals, ':', (size_t)(bar - vals)))
			return fail(err, "a set takes exactly one value");
	} else {
		for (p = vals; p <= bar; ) {
			size_t vl = strcspn(p, ":|");
			if (!is_number(p, vl, 1))
				return fail(err, "bad value '%.*s'", (int)vl, p);
			p += vl + 1;
		}
	}

	p = type + tl;
	while (next_field(&p, &f, &fl)) {
		if ((k = field_kind(f, fl, fields, 4, &last, err)) < 0)
			return -1;
		switch (k) {
		case 0:
			if (!strchr("chdm", types[t][0]))
				return fail(err, "sample rate on type '%s'", types[t]);
			if (!is_number(f + 1, fl - 1, 0) || strtod(f + 1, NULL) <= 0 ||
			    strtod(f + 1, NULL) > 1)
				return fail(err, "bad sample rate '%.*s'", (int)fl - 1, f + 1);
			break;
		case 1:
			if (check_tags(f + 1, fl - 1, err))
				return -1;
			break;
		case 2:
			if (fl == 2)
				return fail(err, "empty container id");
			break;
		case 3:
			if (strcmp(types[t], "g") && strcmp(types[t], "c"))
				return fail(err, "timestamp on type '%s'", types[t]);
			if (!all_digits(f + 1, fl - 1))
				return fail(err, "bad timestamp '%.*s'", (int)fl - 1, f + 1);
			break;
		}
	}
	return 0;
}

/* Read a decimal length of at most 9 digits ending at 'stop'; advance *pp. */
static int read_len(const char **pp, char stop, unsigned long *out)
{
	const char *p = *pp;
	size_t n = 0;

	while (is_digit((unsigned char)p[n]))
		n++;
	if (n == 0 || n > 9 || p[n] != stop)
		return -1;
	*out = strtoul(p, NULL, 10);
	*pp = p + n + 1;
	return 0;
}

/* Event: _e{<title-bytes>,<text-bytes>}:<title>|<text>[|d:ts][|h:host]
 * [|k:key][|p:normal|low][|s:source][|t:error|warning|info|success][|#tags].
 * Title and text are cut by the byte lengths, as the agent does, so they may
 * hold '|'; a wrong length shows up as a missing '|' right after them. */
static int parse_event(const char *line, char *err)
{
	static const char *const fields[] = { "d:", "h:", "k:", "p:", "s:", "t:", "#" };
	static const char *const priorities[] = { "normal", "low" };
	static const char *const alerts[] = { "error", "warning", "info", "success" };
	const char *p = line + 3, *rest, *f, *v;
	unsigned long tlen, xlen;
	size_t rlen, fl, vl;
	int k, last = -1;

	if (read_len(&p, ',', &tlen) || read_len(&p, '}', &xlen) || *p != ':')
		return fail(err, "bad event header, want _e{<title-bytes>,<text-bytes>}:");
	rest = p + 1;
	rlen = strlen(rest);
	if (tlen == 0)
		return fail(err, "empty event title");
	if (tlen >= rlen || rest[tlen] != '|')
		return fail(err, "event title is not %lu bytes", tlen);
	if (tlen + 1 + xlen > rlen ||
	    (rest[tlen + 1 + xlen] != '\0' && rest[tlen + 1 + xlen] != '|'))
		return fail(err, "event text is not %lu bytes", xlen);

	p = rest + tlen + 1 + xlen;
	while (next_field(&p, &f, &fl)) {
		if ((k = field_kind(f, fl, fields, 7, &last, err)) < 0)
			return -1;
		v = f + strlen(fields[k]);
		vl = fl - strlen(fields[k]);
		switch (k) {
		case 0:
			if (!all_digits(v, vl))
				return fail(err, "bad event timestamp '%.*s'", (int)vl, v);
			break;
		case 1: case 2: case 4:
			if (vl == 0)
				return fail(err, "empty event field '%s'", fields[k]);
			break;
		case 3:
			if (one_of(v, vl, priorities, 2) < 0)
				return fail(err, "bad event priority '%.*s'", (int)vl, v);
			break;
		case 5:
			if (one_of(v, vl, alerts, 4) < 0)
				return fail(err, "bad event alert type '%.*s'", (int)vl, v);
			break;
		case 6:
			if (check_tags(v, vl, err))
				return -1;
			break;
		}
	}
	return 0;
}

/* Service check: _sc|<name>|<status>[|d:ts][|h:host][|#tags][|m:message].
 * Status 0..3; m: must be the last field, so its text cannot hold '|'. */
static int parse_service_check(const char *line, char *err)
{
	static const char *const fields[] = { "d:", "h:", "#", "m:" };
	const char *name = line + 4, *p, *f, *v;
	size_t nl = strcspn(name, "|"), fl, vl;
	int k, last = -1;

	if (check_name(name, nl, err))
		return -1;
	if (name[nl] != '|')
		return fail(err, "no service check status");
	p = name + nl + 1;
	if (strcspn(p, "|") != 1 || *p < '0' || *p > '3')
		return fail(err, "bad service check status '%.*s'", (int)strcspn(p, "|"), p);
	p++;
	while (next_field(&p, &f, &fl)) {
		if (last == 3)
			return fail(err, "m: must be the last field");
		if ((k = field_kind(f, fl, fields, 4, &last, err)) < 0)
			return -1;
		v = f + strlen(fields[k]);
		vl = fl - strlen(fields[k]);
		if (k == 0 && !all_digits(v, vl))
			return fail(err, "bad service check timestamp '%.*s'", (int)vl, v);
		if ((k == 1 || k == 3) && vl == 0)
			return fail(err, "empty service check field '%s'", fields[k]);
		if (k == 2 && check_tags(v, vl, err))
			return -1;
	}
	return 0;
}

/* One message of len bytes, NUL-terminated at len: 0 valid, -1 with a reason
 * in err.  Control bytes (NUL, CR, tab, ...) are invalid anywhere. */
static int parse_line(const char *line, size_t len, char *err)
{
	if (len == 0)
		return fail(err, "empty line");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			return fail(err, "control byte 0x%02x", c);
	}
	if (!strncmp(line, "_e{", 3))
		return parse_event(line, err);
	if (!strncmp(line, "_sc|", 4))
		return parse_service_check(line, err);
	return parse_metric(line, err);
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* The line with control bytes shown as \xNN, so reports stay one line. */
static void put_escaped(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

static void report_invalid(struct sink *sk, const char *why, const char *s, size_t n)
{
	sk->invalid++;
	fprintf(stderr, "dsd-recv: invalid: %s: ", why);
	put_escaped(stderr, s, n);
	putc('\n', stderr);
	if (sk->to_file) {
		fprintf(sk->out, "INVALID dsd-recv: invalid: %s: ", why);
		put_escaped(sk->out, s, n);
		putc('\n', sk->out);
	}
}

/* Validate and print one line (NUL-terminated at len). */
static void handle_line(struct sink *sk, const char *line, size_t len)
{
	char err[ERRLEN];

	sk->lines++;
	if (parse_line(line, len, err)) {
		report_invalid(sk, err, line, len);
		return;
	}
	fwrite(line, 1, len, sk->out);
	putc('\n', sk->out);
}

/* One received datagram: n is its real size, of which the first
 * min(n, RECV_BUF) bytes are in buf (which has room for a final NUL).
 * Every line must end with a newline, the last one too: the agent's
 * dogstatsd_eol_required drops an unterminated last line. */
static void handle_datagram(struct sink *sk, char *buf, size_t n, size_t max)
{
	size_t have = n < RECV_BUF ? n : RECV_BUF, nlines = 0, i, start, last;
	char err[ERRLEN];

	buf[have] = '\0';
	for (i = 0; i < have; i++)
		nlines += buf[i] == '\n';
	/* `last`: where the unterminated last line starts (have: none) */
	for (last = have; last > 0 && buf[last - 1] != '\n'; last--)
		;
	if (last < have || !have)
		nlines++;
	if (sk->headers)
		fprintf(sk->out, "# datagram %zu bytes %zu lines\n", n, nlines);

	if (n > max) {
		sk->lines += nlines;
		snprintf(err, sizeof(err), "datagram of %zu bytes exceeds %zu", n, max);
		report_invalid(sk, err, buf, strcspn(buf, "\n") < 80 ? strcspn(buf, "\n") : 80);
	} else {
		for (start = 0, i = 0; i < last; i++) {
			if (buf[i] != '\n')
				continue;
			buf[i] = '\0';
			handle_line(sk, buf + start, i - start);
			start = i + 1;
		}
		if (last < have || !have) {
			sk->lines++;
			report_invalid(sk, "last line not ended by a newline", buf + last, have - last);
		}
	}
	fflush(sk->out);
}

/* ------------------------------------------------------------------ */
/* Sockets                                                              */

/* Resolve "HOST:PORT" or "[V6]:PORT" (empty HOST = any, when passive). */
static int resolve_udp(const char *spec, int passive, struct sockaddr_storage *ss,
		       socklen_t *sslen)
{
	char host[256];
	const char *port;
	struct addrinfo hints = { 0 }, *res;
	int rc;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec) > sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1), spec + 1);
		port = close + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		fprintf(stderr, "dsd-recv: %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* A datagram socket and the address named by -u or -U. */
static int open_socket(const struct opts *o, int passive, struct sockaddr_storage *ss,
		       socklen_t *sslen)
{
	memset(ss, 0, sizeof(*ss));
	if (o->unix_path) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		if (strlen(o->unix_path) >= sizeof(sun->sun_path)) {
			fprintf(stderr, "dsd-recv: socket path too long: %s\n", o->unix_path);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, o->unix_path);
		*sslen = sizeof(*sun);
	} else if (resolve_udp(o->udp, passive, ss, sslen)) {
		fprintf(stderr, "dsd-recv: bad address '%s'\n", o->udp);
		return -1;
	}
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		perror("dsd-recv: socket");
	return fd;
}

/* -S: send stdin, one datagram per line (its newline kept) or, with -1,
 * all of it as one datagram, byte for byte.  No validation and no size limit, so tests can
 * send bad input on purpose. */
static int send_stdin(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int fd, rc = 0, sndbuf = 1 << 20;

	if ((fd = open_socket(o, 0, &ss, &sslen)) < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (o->send_whole) {
		for (;;) {
			if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
				return perror("dsd-recv"), 1;
			if ((n = read(0, buf + len, cap - len)) <= 0)
				break;
			len += (size_t)n;
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sslen) < 0)
			rc = 1;
	} else {
		while ((n = getline(&buf, &cap, stdin)) >= 0) {
			if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, sslen) < 0) {
				rc = 1;
				break;
			}
		}
	}
	if (rc)
		perror("dsd-recv: sendto");
	free(buf);
	close(fd);
	return rc;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Listen on -u/-U until -t, -n, SIGTERM or SIGINT.  1 on setup failure. */
static int receive(const struct opts *o, struct sink *sk)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct stat st;
	sigset_t sigs;
	size_t max = o->max_bytes ? o->max_bytes : o->unix_path ? UNIX_MAX_DEFAULT : UDP_MAX_DEFAULT;
	double deadline = now_mono() + o->lifetime;
	char *buf = malloc(RECV_BUF + 1);
	int fd, sfd, rc = 1, rcvbuf = 1 << 20;

	/* signals arrive through a signalfd, so no handler and no global flag */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (!buf || (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0)
		return perror("dsd-recv"), 1;
	if ((fd = open_socket(o, 1, &ss, &sslen)) < 0)
		goto out_sfd;
	if (!o->max_bytes && !o->unix_path && is_loopback(&ss))
		max = UDP_LOOPBACK_MAX;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (o->unix_path && lstat(o->unix_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "dsd-recv: %s exists and is not a socket\n", o->unix_path);
			goto out_fd;
		}
		unlink(o->unix_path);
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
		perror("dsd-recv: bind");
		goto out_fd;
	}
	if (o->ready) {
		int r = open(o->ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (r < 0) {
			perror("dsd-recv: ready file");
			goto out_unlink;
		}
		close(r);
	}

	for (;;) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		int timeout = -1;

		if (o->lifetime) {
			double left = deadline - now_mono();
			if (left <= 0)
				break;
			timeout = (int)(left * 1000) + 1;
		}
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("dsd-recv: poll");
			goto out_unlink;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		ssize_t n = recv(fd, buf, RECV_BUF, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			perror("dsd-recv: recv");
			goto out_unlink;
		}
		handle_datagram(sk, buf, (size_t)n, max);
		if (o->max_lines && sk->lines >= o->max_lines)
			break;
	}
	rc = 0;
out_unlink:
	if (o->unix_path)
		unlink(o->unix_path);
out_fd:
	close(fd);
out_sfd:
	close(sfd);
	free(buf);
	return rc;
}

/* -p: every stdin line is one message. */
static void parse_stdin(const struct opts *o, struct sink *sk)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (o->lifetime)
		alarm(o->lifetime);     /* a hung pipe must not hang the test suite */
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		handle_line(sk, line, (size_t)n);
		fflush(sk->out);
		if (o->max_lines && sk->lines >= o->max_lines)
			break;
	}
	free(line);
}

static void usage(void)
{
	fputs("usage: dsd-recv -u HOST:PORT | -U PATH [-m BYTES] [-o FILE] [-D]\n"
	      "                [-t SECONDS] [-n COUNT] [-r READY-FILE]\n"
	      "       dsd-recv -p [-o FILE] [-n COUNT]\n"
	      "       dsd-recv -S [-1] -u HOST:PORT | -U PATH\n", stderr);
	exit(2);
}

static unsigned long num_arg(const char *s, unsigned long maxval)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > maxval)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = { .lifetime = 60 };
	struct sink sk = { .out = stdout };
	int c;

	while ((c = getopt(argc, argv, "u:U:m:o:Dt:n:pr:S1")) != -1) {
		switch (c) {
		case 'u': o.udp = optarg; break;
		case 'U': o.unix_path = optarg; break;
		case 'm': o.max_bytes = num_arg(optarg, RECV_BUF - 1); break;
		case 'o': o.out_path = optarg; break;
		case 'D': o.headers = 1; break;
		case 't': o.lifetime = (unsigned)num_arg(optarg, 86400 * 365); break;
		case 'n': o.max_lines = num_arg(optarg, (unsigned long)-1); break;
		case 'p': o.parse_mode = 1; break;
		case 'r': o.ready = optarg; break;
		case 'S': o.send_mode = 1; break;
		case '1': o.send_whole = 1; break;
		default: usage();
		}
	}
	if (optind != argc || (o.parse_mode && (o.udp || o.unix_path)) ||
	    (!o.parse_mode && !o.udp == !o.unix_path) || (o.send_whole && !o.send_mode) ||
	    (o.send_mode && o.parse_mode))
		usage();
	if (o.send_mode)
		return send_stdin(&o);

	if (o.out_path) {
		if (!(sk.out = fopen(o.out_path, "w"))) {
			perror(o.out_path);
			return 1;
		}
		sk.to_file = 1;
	}
	sk.headers = o.headers;
	if (o.parse_mode)
		parse_stdin(&o, &sk);
	else if (receive(&o, &sk))
		return 1;
	if (fclose(sk.out)) {
		perror("dsd-recv: output");
		return 1;
	}
	return sk.invalid ? 3 : 0;
}
