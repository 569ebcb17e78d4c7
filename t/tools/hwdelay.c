/*
 * hwdelay: delay and loss emulator for the hopwatch test network.
 *
 * hwdelay attaches to one or more TUN devices (created beforehand with
 * `ip tuntap add mode tun dev NAME`).  Every packet read from a device is
 * held for its delay and then written back into the SAME device, so the
 * kernel routes it again as if it had just arrived.  t/lib/testbed.sh
 * policy-routes the traffic of one direction of a link into one device.
 *
 * Usage:
 *   hwdelay [options] TUN[:DELAY_MS[:JITTER_MS[:LOSS_PCT]]]...
 *
 *   TUN        name of an existing tun device (IFF_TUN, no packet info)
 *   DELAY_MS   fixed one-way delay in milliseconds (float, default 0)
 *   JITTER_MS  each packet gets DELAY_MS + uniform(-JITTER_MS, +JITTER_MS),
 *              clamped at 0 (float, default 0)
 *   LOSS_PCT   percentage of packets dropped at random (float, default 0)
 *
 * Options:
 *   -T SECONDS  exit after SECONDS (float; default 0 = no limit)
 *   -p FILE     write the pid to FILE once every device is attached
 *   -d          daemonize once every device is attached (stderr is kept,
 *               so the exit statistics still go there)
 *   -s SEED     seed of the random generator (default: time and pid)
 *   -R          allow reordering: with jitter, packets leave in order of
 *               their own deadline; by default a packet never leaves before
 *               the one read before it on the same device (FIFO)
 *   -N          do not add 1 to the IPv4 TTL / IPv6 hop limit; by default
 *               it is added so that the extra forwarding step through the
 *               tun device is invisible to traceroute
 *   -q MAX      at most MAX packets queued (default 65536); more are
 *               dropped and counted as overflow
 *   -r PRIO     run with SCHED_FIFO priority PRIO (less wake-up latency)
 *   -v          print one line per packet to stderr (debugging)
 *
 * On SIGTERM/SIGINT or at the time limit hwdelay exits 0 after printing, per
 * device, one line to stderr:
 *   hwdelay: DEV: read N forwarded N lost N overflow N discarded N
 * (lost = random loss, overflow = queue full, discarded = still queued at
 * exit).  Exit status 1 means a setup error, 2 a usage error.
 *
 * Timing: deadlines are absolute CLOCK_MONOTONIC times; a timerfd armed
 * with TFD_TIMER_ABSTIME wakes the loop, timer slack is set to 1 ns, and
 * there is no busy waiting.  The timer is armed early by a moving average
 * of its own wake-up latency (at most 0.2 ms), so packets leave on time on
 * average.  The delay counts from the moment the packet is read from the
 * device.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVS 8
#define PKT_MAX 65536 /* largest packet a tun device hands us */
#define BATCH 64      /* packets read per device per wake-up */

struct dev {
	char name[IFNAMSIZ];  /* tun device name */
	int fd;               /* tun file descriptor */
	int64_t delay_ns;     /* fixed one-way delay, ns */
	int64_t jitter_ns;    /* half-width of the uniform jitter, ns */
	uint64_t loss_thresh; /* drop when rand64 < this; 0 = no loss */
	int64_t last_release; /* deadline of the last queued packet, ns */
	uint64_t n_read, n_fwd, n_lost, n_overflow, n_discard; /* counters */
};

struct pkt {
	int64_t release; /* CLOCK_MONOTONIC deadline, ns */
	uint64_t seq;    /* arrival order, breaks ties so equal deadlines stay FIFO */
	int dev;         /* index into devs */
	uint32_t len;    /* bytes in data */
	unsigned char *data;
};

static struct dev devs[MAX_DEVS];
static int ndevs;
static struct pkt *heap; /* binary min-heap ordered by (release, seq) */
static size_t heap_len, heap_cap = 65536;
static uint64_t rng_state;
static int opt_reorder, opt_no_ttl, opt_verbose;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: quality is plenty for loss and jitter */
static uint64_t rand64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->release < b->release ||
	       (a->release == b->release && a->seq < b->seq);
}

static void heap_push(struct pkt p)
{
	size_t i = heap_len++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!pkt_before(&p, &heap[parent]))
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = p;
}

static struct pkt heap_pop(void)
{
	struct pkt top = heap[0], last = heap[--heap_len];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= heap_len)
			break;
		if (c + 1 < heap_len && pkt_before(&heap[c + 1], &heap[c]))
			c++;
		if (!pkt_before(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (heap_len > 0)
		heap[i] = last;
	return top;
}

/* add 1 to the TTL / hop limit so the tun detour costs no hop */
static void bump_ttl(unsigned char *p, size_t len)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		if (p[8] == 255)
			return;
		p[8]++;
		/* RFC 1624 incremental update: the TTL is the high byte of
		 * header word 4, so the word grew by 0x0100 */
		uint32_t sum = (uint32_t)((p[10] << 8) | p[11]);
		sum = (~sum & 0xffff) + 0x0100;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		p[10] = (unsigned char)(sum >> 8);
		p[11] = (unsigned char)sum;
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		if (p[7] < 255)
			p[7]++;
	}
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_dev(char *spec, struct dev *d)
{
	char *field[4] = {0};
	int n = 0;
	for (char *tok = strtok(spec, ":"); tok && n < 4; tok = strtok(NULL, ":"))
		field[n++] = tok;
	if (n == 0 || strlen(field[0]) >= IFNAMSIZ)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", field[0]);
	double delay = 0, jitter = 0, loss = 0;
	if ((field[1] && parse_double(field[1], &delay)) ||
	    (field[2] && parse_double(field[2], &jitter)) ||
	    (field[3] && parse_double(field[3], &loss)) || loss > 100)
		return -1;
	d->delay_ns = (int64_t)(delay * 1e6 + 0.5);
	d->jitter_ns = (int64_t)(jitter * 1e6 + 0.5);
	/* 2^64 * loss/100, computed without overflow */
	d->loss_thresh = loss >= 100 ? UINT64_MAX
				     : (uint64_t)(loss / 100.0 * 18446744073709551615.0);
	d->fd = -1;
	return 0;
}

static int tun_attach(struct dev *d)
{
	struct ifreq ifr;
	/* TUNSETIFF would create a missing device: attach to existing ones only */
	if (if_nametoindex(d->name) == 0) {
		fprintf(stderr, "hwdelay: no device %s\n", d->name);
		return -1;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		perror("hwdelay: /dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, d->name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "hwdelay: attach %s: %s\n", d->name, strerror(errno));
		close(fd);
		return -1;
	}
	d->fd = fd;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: hwdelay [-T secs] [-p pidfile] [-d] [-s seed] [-R] [-N] "
			"[-q max] [-r prio] [-v] TUN[:DELAY_MS[:JITTER_MS[:LOSS_PCT]]]...\n");
	exit(2);
}

/* read what a device has, decide loss, queue the rest */
static void drain_dev(int i)
{
	struct dev *d = &devs[i];
	static uint64_t seq;
	for (int n = 0; n < BATCH; n++) {
		unsigned char buf[PKT_MAX];
		ssize_t len = read(d->fd, buf, sizeof(buf));
		if (len < 0) {
			if (errno != EAGAIN && errno != EINTR)
				fprintf(stderr, "hwdelay: read %s: %s\n", d->name, strerror(errno));
			return;
		}
		int64_t t = now_ns();
		d->n_read++;
		if (d->loss_thresh && rand64() < d->loss_thresh) {
			d->n_lost++;
			continue;
		}
		if (heap_len >= heap_cap) {
			d->n_overflow++;
			continue;
		}
		int64_t rel = t + d->delay_ns;
		if (d->jitter_ns) {
			/* uniform in [-jitter, +jitter] */
			uint64_t span = 2 * (uint64_t)d->jitter_ns + 1;
			rel += (int64_t)(rand64() % span) - d->jitter_ns;
			if (rel < t)
				rel = t;
		}
		if (!opt_reorder && rel < d->last_release)
			rel = d->last_release;
		d->last_release = rel;
		unsigned char *copy = malloc((size_t)len);
		if (!copy) {
			d->n_overflow++;
			continue;
		}
		memcpy(copy, buf, (size_t)len);
		if (!opt_no_ttl)
			bump_ttl(copy, (size_t)len);
		heap_push((struct pkt){ .release = rel, .seq = seq++, .dev = i,
					.len = (uint32_t)len, .data = copy });
	}
}

/*
 * Wake-up latency compensation: the timer fires some tens of microseconds
 * after the time it was armed for.  est_late_ns is a moving average of
 * that lateness; the timer is armed that much early and packets due within
 * it are sent, so on average packets leave on time without busy waiting.
 */
static int64_t est_late_ns;  /* estimated timer wake-up latency, ns */
static int64_t armed_for_ns; /* the absolute time the timer was armed for; 0 = none */
#define LATE_MAX_NS 200000   /* never compensate more than 0.2 ms */

static void note_wakeup(int64_t t)
{
	if (armed_for_ns == 0 || t < armed_for_ns)
		return;
	int64_t late = t - armed_for_ns;
	if (late > LATE_MAX_NS)
		late = LATE_MAX_NS;
	est_late_ns += (late - est_late_ns) / 8;
	armed_for_ns = 0;
}

/* write every packet whose deadline has come */
static void release_due(void)
{
	int64_t t = now_ns();
	while (heap_len > 0 && heap[0].release - est_late_ns <= t) {
		struct pkt p = heap_pop();
		struct dev *d = &devs[p.dev];
		if (write(d->fd, p.data, p.len) == (ssize_t)p.len) {
			d->n_fwd++;
		} else {
			d->n_overflow++;
		}
		if (opt_verbose)
			fprintf(stderr, "hwdelay: %s: %u bytes late by %lld ns\n", d->name,
				p.len, (long long)(t - p.release));
		free(p.data);
	}
}

static void arm_timer(int tfd)
{
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	armed_for_ns = 0;
	if (heap_len > 0) {
		int64_t r = heap[0].release - est_late_ns;
		if (r <= 0)
			r = 1;
		armed_for_ns = r;
		its.it_value.tv_sec = r / 1000000000;
		its.it_value.tv_nsec = r % 1000000000;
	}
	/* an all-zero value disarms the timer */
	timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int main(int argc, char **argv)
{
	double lifetime = 0;
	const char *pidfile = NULL;
	int daemonize = 0, prio = 0, have_seed = 0, opt;
	uint64_t seed = 0;

	while ((opt = getopt(argc, argv, "T:p:ds:RNq:r:v")) != -1) {
		switch (opt) {
		case 'T':
			if (parse_double(optarg, &lifetime))
				usage();
			break;
		case 'p': pidfile = optarg; break;
		case 'd': daemonize = 1; break;
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 'R': opt_reorder = 1; break;
		case 'N': opt_no_ttl = 1; break;
		case 'q': heap_cap = strtoul(optarg, NULL, 0); break;
		case 'r': prio = atoi(optarg); break;
		case 'v': opt_verbose = 1; break;
		default: usage();
		}
	}
	if (optind >= argc || argc - optind > MAX_DEVS || heap_cap == 0)
		usage();
	for (int i = optind; i < argc; i++) {
		char spec[256]; /* strtok must not rewrite argv: ps shows it */
		snprintf(spec, sizeof(spec), "%s", argv[i]);
		if (parse_dev(spec, &devs[ndevs++]))
			usage();
	}

	rng_state = have_seed ? seed : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	if (rng_state == 0)
		rng_state = 0x9e3779b97f4a7c15ULL;
	heap = calloc(heap_cap, sizeof(*heap));
	if (!heap) {
		perror("hwdelay: calloc");
		return 1;
	}
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (prio > 0) {
		struct sched_param sp = { .sched_priority = prio };
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			perror("hwdelay: SCHED_FIFO (continuing)");
	}

	for (int i = 0; i < ndevs; i++)
		if (tun_attach(&devs[i]))
			return 1;

	int ready[2] = { -1, -1 };
	if (daemonize) {
		/* the parent exits only once the child wrote its pidfile, so a
		 * caller that waits for us can read the pidfile right away */
		if (pipe(ready) < 0) {
			perror("hwdelay: pipe");
			return 1;
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("hwdelay: fork");
			return 1;
		}
		if (pid > 0) {
			char c;
			close(ready[1]);
			_exit(read(ready[0], &c, 1) == 1 ? 0 : 1);
		}
		close(ready[0]);
		setsid();
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			perror("hwdelay: pidfile");
			return 1;
		}
	}
	if (ready[1] >= 0) {
		if (write(ready[1], "r", 1) != 1)
			return 1;
		close(ready[1]);
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0) {
		perror("hwdelay: setup");
		return 1;
	}
	struct epoll_event ev = { .events = EPOLLIN };
	for (int i = 0; i < ndevs; i++) {
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, devs[i].fd, &ev);
	}
	ev.data.u32 = 100;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.u32 = 101;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);

	int64_t end = lifetime > 0 ? now_ns() + (int64_t)(lifetime * 1e9) : INT64_MAX;
	int running = 1;
	while (running) {
		int64_t t = now_ns();
		if (t >= end)
			break;
		/* the timerfd carries the packet deadlines; the epoll timeout
		 * only bounds the lifetime (rounded up to whole ms) */
		int64_t left_ms = (end - t + 999999) / 1000000;
		int timeout = end == INT64_MAX ? -1 : (left_ms > 60000 ? 60000 : (int)left_ms);
		struct epoll_event evs[MAX_DEVS + 2];
		int n = epoll_wait(ep, evs, MAX_DEVS + 2, timeout);
		if (n < 0 && errno != EINTR) {
			perror("hwdelay: epoll_wait");
			break;
		}
		for (int k = 0; k < n; k++) {
			uint32_t id = evs[k].data.u32;
			if (id == 101) {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof(si)) == sizeof(si))
					running = 0;
			} else if (id == 100) {
				uint64_t expirations;
				if (read(tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
					perror("hwdelay: timerfd");
				else
					note_wakeup(now_ns());
			} else if (id < (uint32_t)ndevs) {
				drain_dev((int)id);
			}
		}
		release_due();
		arm_timer(tfd);
	}

	while (heap_len > 0) {
		struct pkt p = heap_pop();
		devs[p.dev].n_discard++;
		free(p.data);
	}
	for (int i = 0; i < ndevs; i++) {
		struct dev *d = &devs[i];
		fprintf(stderr, "hwdelay: %s: read %llu forwarded %llu lost %llu overflow %llu discarded %llu\n",
			d->name, (unsigned long long)d->n_read, (unsigned long long)d->n_fwd,
			(unsigned long long)d->n_lost, (unsigned long long)d->n_overflow,
			(unsigned long long)d->n_discard);
	}
	if (pidfile)
		unlink(pidfile);
	return 0;
}
