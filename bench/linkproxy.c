/*
 * linkproxy: a TCP relay that behaves like an ordinary VPN link, placed
 * between ssh (or sshfs) and a throw-away sshd for the benchmarks. The
 * kernel here has no netem, and a relay in user space needs no privilege.
 *
 *	linkproxy [-Cv] [-b bytes] [-d ms] [-l [host:]port] [-r mbit] host:port
 *
 * Each connection accepted on the listening address (-l, default
 * 127.0.0.1 and a free port) is relayed to host:port. The port listened
 * on is printed on standard output, alone on a line, once it listens.
 *
 * Each direction is a link of its own, shared by every connection:
 *  - a token bucket paces the bytes (-r, default 50 Mbit/s; 0 is no
 *    limit), so a bulk transfer runs at that rate; its depth (-b, default
 *    2 ms of the rate and at least 16 KiB) is what may pass at once;
 *  - every byte is then held -d milliseconds (default 15, so 30 ms a round
 *    trip) before it is written on, and an end of file travels the same
 *    way: a half-close is passed on as a shutdown of the other side.
 * So a small message on an idle link takes exactly the delay, and a large
 * one adds the time its bytes take at the rate, as on a real link. The
 * pacing is at the entry of the link: bytes the link cannot take yet stay
 * in the kernel's socket buffers, and TCP slows the sender, as a router's
 * queue would. The connections share each bucket in turn (as a fair queue,
 * fq_codel, shares a link), so a bulk transfer in one connection does not
 * delay another's small messages by more than a few kilobytes' worth.
 *
 * A TCP handshake costs a round trip before the client may send, which a
 * relay on the same machine cannot make the client wait: instead the
 * connection to the server is opened 3 delays after the client's (SYN,
 * SYN-ACK, ACK), and nothing reaches the server before it. The client's
 * first bytes then arrive, and the server's first bytes come back, when
 * they would over the link. -C opens it at once.
 *
 * Sockets on both sides have TCP_NODELAY: the relay adds no latency of
 * Nagle's algorithm to the delay it was asked for.
 *
 * SIGUSR1 prints the counters on standard error (bytes and write calls
 * each way, connections, turns); -v prints them at exit too. A turn is a
 * read from the client that follows a read from the server in the same
 * connection: in a conversation that waits for each answer, one round trip.
 * SIGTERM, SIGINT and SIGHUP end it at once.
 *
 * One file, libc alone, no threads: it is compiled by "make bench" and by
 * bench/lib.sh with "cc -O2" where make is not used, so it does not include
 * the project's config.h.
 */
#define _GNU_SOURCE		/* ppoll: a timeout finer than poll's 1 ms */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX	65536		/* most bytes a read takes at once */
#define QUANTUM		4096		/* a paced read waits for this much */
#define BURST_MIN	16384
#define QUEUE_MIN	(4 << 20)	/* bytes held a direction, at least */

#define UP	0			/* client to server */
#define DOWN	1			/* server to client */

/* Bytes read together: they may be written at "at". */
struct chunk {
	struct chunk	*next;
	uint64_t	 at;		/* monotonic microseconds */
	size_t		 off;		/* written so far */
	size_t		 len;
	char		 data[];
};

/*
 * One direction of a connection: read from fd[d], written to fd[!d]. A
 * client's socket is fd[UP], the server's fd[DOWN].
 */
struct dir {
	struct chunk	*head;
	struct chunk	*tail;
	size_t		 queued;	/* bytes held, written or not */
	int		 eof;		/* the source has closed its side */
	uint64_t	 eof_at;	/* when that reaches the other end */
	int		 shut;		/* passed on: shutdown(SHUT_WR) */
	int		 blocked;	/* the destination's buffer is full */
};

struct conn {
	int		 fd[2];		/* [UP] the client, [DOWN] the server */
	struct dir	 dir[2];
	uint64_t	 dial_at;	/* when to connect to the server */
	int		 dialled;
	int		 connecting;	/* connect() under way */
	int		 last;		/* direction of the last read */
	int		 pfd[2];	/* index in the poll set, or -1 */
	int		 dead;		/* failed: dropped after the reads */
};

/* A direction of the link, shared by all connections. */
struct link {
	double		 tokens;
	uint64_t	 filled;	/* when tokens were last added */
	uint64_t	 bytes;		/* written on */
	uint64_t	 writes;	/* write calls that wrote */
};

static uint64_t		 delay_us = 15000;
static double		 rate;		/* bytes a second; 0: no limit */
static double		 burst;
static size_t		 queue_max;
static int		 handshake = 1;
static int		 verbose;

static struct link	 links[2];
static uint64_t		 nconnections;
static uint64_t		 turns;

static struct conn	**conns;
static size_t		 nconns;
static size_t		 rr;		/* whose turn it is to read first */

static struct sockaddr_storage target;
static socklen_t	 target_len;

static int		 sigfd[2];	/* the signal handler's self-pipe */

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list	ap;

	fputs("linkproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n)) == NULL)
		fatal("out of memory");
	return p;
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
counters_print(void)
{
	fprintf(stderr, "linkproxy: up_bytes=%" PRIu64 " up_writes=%" PRIu64
	    " down_bytes=%" PRIu64 " down_writes=%" PRIu64
	    " connections=%" PRIu64 " turns=%" PRIu64 "\n",
	    links[UP].bytes, links[UP].writes, links[DOWN].bytes,
	    links[DOWN].writes, nconnections, turns);
}

static void
signal_handler(int sig)
{
	unsigned char	c = (unsigned char)sig;
	int		saved = errno;

	/* A full pipe already holds a wake-up: dropping this one is fine. */
	(void)write(sigfd[1], &c, 1);
	errno = saved;
}

static void
nonblock(int fd)
{
	int	fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fatal("fcntl: %s", strerror(errno));
}

static void
nodelay(int fd)
{
	int	on = 1;

	/* Fails on a socket already reset: what follows will say so. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

/* Split "host:port" (host optional when dflt is given) and resolve it. */
static struct addrinfo *
address_parse(const char *arg, const char *dflt, int passive)
{
	struct addrinfo	 hints, *ai;
	char		*copy, *host, *port;
	int		 error;

	copy = strdup(arg);
	if (copy == NULL)
		fatal("out of memory");
	if ((port = strrchr(copy, ':')) != NULL) {
		*port++ = '\0';
		host = copy;
	} else if (dflt != NULL) {
		port = copy;
		host = (char *)dflt;
	} else
		fatal("%s: expected host:port", arg);
	if (*host == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	if ((error = getaddrinfo(host, port, &hints, &ai)) != 0)
		fatal("%s: %s", arg, gai_strerror(error));
	free(copy);
	return ai;
}

static int
listen_on(const char *arg)
{
	struct addrinfo		*ai;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	int			 fd, on = 1, port;

	ai = address_parse(arg, "127.0.0.1", 1);
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
		fatal("socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		fatal("cannot listen on %s: %s", arg, strerror(errno));
	if (listen(fd, 128) == -1)
		fatal("listen: %s", strerror(errno));
	freeaddrinfo(ai);
	nonblock(fd);

	/* Port 0 asked the kernel for a free one: the caller needs it. */
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		fatal("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	printf("%d\n", port);
	fflush(stdout);
	return fd;
}

/* ---- the token buckets ---------------------------------------------- */

static void
link_fill(struct link *l, uint64_t now)
{
	if (rate == 0)
		return;
	if (now > l->filled) {
		l->tokens += (double)(now - l->filled) * rate / 1e6;
		if (l->tokens > burst)
			l->tokens = burst;
	}
	l->filled = now;
}

/* The most a read may take now; 0 until a quantum has gathered. */
static size_t
link_allows(struct link *l)
{
	double	need = burst < QUANTUM ? burst : QUANTUM;

	if (rate == 0)
		return READ_MAX;
	if (l->tokens < need)
		return 0;
	return l->tokens > READ_MAX ? READ_MAX : (size_t)l->tokens;
}

/* When a read will be allowed again. */
static uint64_t
link_ready_at(struct link *l)
{
	double	need = burst < QUANTUM ? burst : QUANTUM;

	if (rate == 0 || l->tokens >= need)
		return l->filled;
	return l->filled + (uint64_t)((need - l->tokens) * 1e6 / rate) + 1;
}

/* ---- connections ------------------------------------------------------ */

static void
conn_free(struct conn *c, int abort)
{
	struct linger	lg = { 1, 0 };
	struct chunk	*ch, *next;
	int		 d;

	for (d = 0; d < 2; d++) {
		for (ch = c->dir[d].head; ch != NULL; ch = next) {
			next = ch->next;
			free(ch);
		}
		if (c->fd[d] == -1)
			continue;
		/* A side that failed is passed on as a reset, not an end. */
		if (abort)
			(void)setsockopt(c->fd[d], SOL_SOCKET, SO_LINGER, &lg,
			    sizeof lg);
		close(c->fd[d]);
	}
	free(c);
}

static void
conn_accept(int lfd, uint64_t now)
{
	struct conn	*c;
	int		 fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != ECONNABORTED && errno != EINTR)
			fprintf(stderr, "linkproxy: accept: %s\n",
			    strerror(errno));
		return;
	}
	nonblock(fd);
	nodelay(fd);

	c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->fd[UP] = fd;
	c->fd[DOWN] = -1;
	c->dial_at = handshake ? now + 3 * delay_us : now;
	c->last = -1;
	conns = realloc(conns, (nconns + 1) * sizeof *conns);
	if (conns == NULL)
		fatal("out of memory");
	conns[nconns++] = c;
	nconnections++;
}

/* Connect to the server; 0 on failure (the connection is then dropped). */
static int
conn_dial(struct conn *c)
{
	int	fd;

	c->dialled = 1;
	if ((fd = socket(target.ss_family, SOCK_STREAM, 0)) == -1)
		return 0;
	nonblock(fd);
	nodelay(fd);
	c->fd[DOWN] = fd;
	if (connect(fd, (struct sockaddr *)&target, target_len) == 0)
		return 1;
	if (errno != EINPROGRESS)
		return 0;
	c->connecting = 1;
	return 1;
}

static int
conn_connected(struct conn *c)
{
	int		error = 0;
	socklen_t	len = sizeof error;

	if (getsockopt(c->fd[DOWN], SOL_SOCKET, SO_ERROR, &error, &len) == -1
	    || error != 0)
		return 0;
	c->connecting = 0;
	return 1;
}

/* Both ends may be used: dialled and connected. */
static int
conn_open(struct conn *c)
{
	return c->dialled && !c->connecting;
}

/* Read what direction d may take now; 0 on an error. */
static int
dir_read(struct conn *c, int d, uint64_t now)
{
	static char	 buf[READ_MAX];
	struct dir	*dr = &c->dir[d];
	struct link	*l = &links[d];
	struct chunk	*ch;
	size_t		 n;
	ssize_t		 r;

	link_fill(l, now);
	n = link_allows(l);
	if (n > queue_max - dr->queued)
		n = queue_max - dr->queued;
	if (n == 0)
		return 1;
	r = read(c->fd[d], buf, n);
	if (r == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	if (r == 0) {
		dr->eof = 1;
		dr->eof_at = now + delay_us;
		return 1;
	}
	if (rate != 0)
		l->tokens -= (double)r;
	if (d == UP && c->last == DOWN)
		turns++;
	c->last = d;

	ch = xmalloc(sizeof *ch + (size_t)r);
	ch->next = NULL;
	ch->at = now + delay_us;
	ch->off = 0;
	ch->len = (size_t)r;
	memcpy(ch->data, buf, (size_t)r);
	if (dr->tail != NULL)
		dr->tail->next = ch;
	else
		dr->head = ch;
	dr->tail = ch;
	dr->queued += (size_t)r;
	return 1;
}

/* Write on what is due in direction d; 0 on an error. */
static int
dir_flush(struct conn *c, int d, uint64_t now)
{
	struct dir	*dr = &c->dir[d];
	struct chunk	*ch;
	int		 fd = c->fd[!d];
	ssize_t		 w;

	if (!conn_open(c))
		return 1;
	dr->blocked = 0;
	while ((ch = dr->head) != NULL && ch->at <= now) {
		w = send(fd, ch->data + ch->off, ch->len - ch->off,
		    MSG_NOSIGNAL);
		if (w == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				dr->blocked = 1;
				return 1;
			}
			if (errno == EINTR)
				continue;
			return 0;
		}
		links[d].bytes += (uint64_t)w;
		links[d].writes++;
		ch->off += (size_t)w;
		if (ch->off < ch->len) {
			dr->blocked = 1;
			return 1;
		}
		dr->head = ch->next;
		if (dr->head == NULL)
			dr->tail = NULL;
		dr->queued -= ch->len;
		free(ch);
	}
	if (dr->head == NULL && dr->eof && !dr->shut && dr->eof_at <= now) {
		/* The peer may be gone already: then so is this side. */
		if (shutdown(fd, SHUT_WR) == -1 && errno != ENOTCONN)
			return 0;
		dr->shut = 1;
	}
	return 1;
}

/* Whether direction d should be polled for reading now. */
static int
dir_wants_read(struct conn *c, int d)
{
	struct dir	*dr = &c->dir[d];

	if (dr->eof || c->fd[d] == -1 || (d == DOWN && !conn_open(c)))
		return 0;
	return dr->queued < queue_max && link_allows(&links[d]) != 0;
}

/* The earliest time direction d needs attention without an event. */
static uint64_t
dir_next(struct conn *c, int d, uint64_t next)
{
	struct dir	*dr = &c->dir[d];

	if (dr->head != NULL && !dr->blocked && conn_open(c) &&
	    dr->head->at < next)
		next = dr->head->at;
	if (dr->head == NULL && dr->eof && !dr->shut && conn_open(c) &&
	    dr->eof_at < next)
		next = dr->eof_at;
	if (!dr->eof && dr->queued < queue_max && link_allows(&links[d]) == 0 &&
	    link_ready_at(&links[d]) < next)
		next = link_ready_at(&links[d]);
	return next;
}

static void
conn_drop(size_t i, int abort)
{
	conn_free(conns[i], abort);
	conns[i] = conns[--nconns];
}

/* ---- main ------------------------------------------------------------- */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: linkproxy [-Cv] [-b bytes] [-d ms] "
	    "[-l [host:]port] [-r mbit] host:port\n");
	exit(1);
}

static double
number(const char *arg, const char *what)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 1e9)
		fatal("%s: not a valid %s", arg, what);
	return v;
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct addrinfo		*ai;
	struct pollfd		*pfds = NULL;
	struct timespec		 ts, *tsp;
	const char		*listen_arg = "0";
	size_t			 npfds, maxpfds = 0, i, k;
	uint64_t		 now, next;
	unsigned char		 sig;
	int			 ch, lfd, d, ok;

	rate = 50e6 / 8;
	burst = -1;
	while ((ch = getopt(argc, argv, "b:Cd:l:r:v")) != -1) {
		switch (ch) {
		case 'b':
			burst = number(optarg, "burst in bytes");
			break;
		case 'C':
			handshake = 0;
			break;
		case 'd':
			delay_us = (uint64_t)(number(optarg, "delay in ms") *
			    1000);
			break;
		case 'l':
			listen_arg = optarg;
			break;
		case 'r':
			rate = number(optarg, "rate in Mbit/s") * 1e6 / 8;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();

	/*
	 * Waking costs some tens of microseconds: a bucket of less than 2 ms
	 * of the rate would lose tokens between wake-ups and slow a bulk
	 * transfer below the rate asked for.
	 */
	if (burst < 0) {
		burst = rate * 0.002;
		if (burst < BURST_MIN)
			burst = BURST_MIN;
	}
	if (burst < 1)
		burst = 1;
	/* Room for what is in flight at the rate, twice over. */
	queue_max = (size_t)(2 * rate * (double)delay_us / 1e6);
	if (queue_max < QUEUE_MIN)
		queue_max = QUEUE_MIN;
	links[UP].tokens = links[DOWN].tokens = burst;

	ai = address_parse(argv[0], NULL, 0);
	memcpy(&target, ai->ai_addr, ai->ai_addrlen);
	target_len = ai->ai_addrlen;
	freeaddrinfo(ai);

	if (pipe(sigfd) == -1)
		fatal("pipe: %s", strerror(errno));
	nonblock(sigfd[0]);
	nonblock(sigfd[1]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = signal_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = listen_on(listen_arg);
	now = now_us();
	links[UP].filled = links[DOWN].filled = now;

	for (;;) {
		now = now_us();

		/* Dial, write what is due, drop what has ended. */
		for (i = 0; i < nconns; /* nothing */) {
			struct conn	*c = conns[i];

			if (!c->dialled && c->dial_at <= now &&
			    !conn_dial(c)) {
				conn_drop(i, 1);
				continue;
			}
			if (!dir_flush(c, UP, now) ||
			    !dir_flush(c, DOWN, now)) {
				conn_drop(i, 1);
				continue;
			}
			if (c->dir[UP].shut && c->dir[DOWN].shut) {
				conn_drop(i, 0);
				continue;
			}
			i++;
		}

		/* What to wait for, and until when. */
		if (maxpfds < 2 + 2 * nconns) {
			maxpfds = 2 + 2 * nconns + 16;
			pfds = realloc(pfds, maxpfds * sizeof *pfds);
			if (pfds == NULL)
				fatal("out of memory");
		}
		npfds = 0;
		pfds[npfds].fd = sigfd[0];
		pfds[npfds++].events = POLLIN;
		pfds[npfds].fd = lfd;
		pfds[npfds++].events = POLLIN;
		next = UINT64_MAX;
		link_fill(&links[UP], now);
		link_fill(&links[DOWN], now);
		for (i = 0; i < nconns; i++) {
			struct conn	*c = conns[i];

			if (!c->dialled && c->dial_at < next)
				next = c->dial_at;
			for (d = 0; d < 2; d++) {
				short	ev = 0;

				c->pfd[d] = -1;
				if (c->fd[d] == -1)
					continue;
				if (dir_wants_read(c, d))
					ev |= POLLIN;
				/* Writing to fd[d] is direction !d's. */
				if (c->dir[!d].blocked ||
				    (d == DOWN && c->connecting))
					ev |= POLLOUT;
				next = dir_next(c, d, next);
				/*
				 * Not polled at all when nothing is wanted of
				 * it: poll reports a hang-up whatever it is
				 * asked, and would spin until the next read.
				 */
				if (ev == 0)
					continue;
				c->pfd[d] = (int)npfds;
				pfds[npfds].fd = c->fd[d];
				pfds[npfds++].events = ev;
			}
		}
		tsp = NULL;
		if (next != UINT64_MAX) {
			uint64_t	wait = next > now ? next - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000);
			ts.tv_nsec = (long)(wait % 1000000) * 1000;
			tsp = &ts;
		}
		if (ppoll(pfds, npfds, tsp, NULL) == -1) {
			if (errno != EINTR)
				fatal("poll: %s", strerror(errno));
			continue;
		}
		now = now_us();

		while (read(sigfd[0], &sig, 1) == 1) {
			if (sig == SIGUSR1) {
				counters_print();
				continue;
			}
			if (verbose)
				counters_print();
			exit(0);
		}

		/*
		 * The connections read in turn, each loop starting one
		 * further, so that one does not take every token of a
		 * direction before the others are asked.
		 */
		for (k = 0; k < nconns; k++) {
			struct conn	*c = conns[(rr + k) % nconns];

			ok = 1;
			if (c->connecting && c->pfd[DOWN] != -1 &&
			    (pfds[c->pfd[DOWN]].revents &
			    (POLLOUT | POLLERR | POLLHUP)))
				ok = conn_connected(c);
			for (d = 0; ok && d < 2; d++) {
				if (c->pfd[d] == -1)
					continue;
				if ((pfds[c->pfd[d]].revents &
				    (POLLIN | POLLERR | POLLHUP)) &&
				    (pfds[c->pfd[d]].events & POLLIN))
					ok = dir_read(c, d, now);
				/* A reset seen while only writing. */
				else if (pfds[c->pfd[d]].revents & POLLERR)
					ok = 0;
			}
			c->dead = !ok;
		}
		if (nconns != 0)
			rr = (rr + 1) % nconns;
		for (i = 0; i < nconns; /* nothing */) {
			if (conns[i]->dead)
				conn_drop(i, 1);
			else
				i++;
		}

		if (pfds[1].revents & POLLIN)
			conn_accept(lfd, now);
	}
}
