/*
 * sync-link: the two transports that join a sync's halves
 * (include/sync.h), and `crm serve`, the master's end of the service.
 *
 * The attach runs both halves in this process: the master's half is
 * drained first, so what it says is applied before the local says more,
 * and neither ever holds more than a frame or a decision's worth.
 *
 * The service runs `SSH [-p PORT] [USER@]HOST REMOTE_CRM serve PATH`
 * (sync.ssh_command, sync.remote_crm) and speaks over its standard input
 * and output. The local writes everything it can without waiting and
 * reads whatever comes meanwhile (poll on both pipes), so neither side
 * blocks on a full pipe while the other does; crm serve itself reads and
 * writes plainly. ssh's standard error is kept to name what went wrong
 * when the conversation never began or ended early.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "error.h"
#include "sync.h"
#include "wire.h"
#include "xmalloc.h"

#define LINK_OUT_MAX	(256u << 10)	/* bytes queued for the pipe */
#define LINK_ERR_MAX	2048		/* bytes of ssh's stderr kept */

static unsigned long	link_cut_at;	/* test builds: frames read, then cut */
static int		link_batch;	/* ssh may never ask (the screens) */

void
sync_set_batch(int batch)
{
	link_batch = batch;
}

void
sync_cut_set(unsigned long n)
{
	link_cut_at = n;
}

/* ---------------------------------------------------------------------
 * Master locations.
 */

int
sync_where_remote(const char *text)
{
	const char	*colon, *slash;

	if (strncmp(text, "ssh://", 6) == 0)
		return 1;
	if (*text == '/' || *text == '.' || *text == '~' || *text == '\0')
		return 0;
	colon = strchr(text, ':');
	slash = strchr(text, '/');
	return colon != NULL && colon != text && (slash == NULL ||
	    colon < slash);
}

int
sync_where_parse(const char *text, struct sync_where *w)
{
	const char	*p, *at, *host, *end, *slash;

	memset(w, 0, sizeof *w);
	if (!sync_where_remote(text)) {
		w->dir = xstrdup(text);
		return 0;
	}
	if (strncmp(text, "ssh://", 6) == 0) {
		p = text + 6;
		slash = strchr(p, '/');
		if (slash == NULL || slash == p || slash[1] == '\0') {
			error_set("\"%s\" names no host or no directory: write "
			    "ssh://[USER@]HOST[:PORT]/PATH", text);
			return -1;
		}
		at = memchr(p, '@', (size_t)(slash - p));
		if (at != NULL) {
			w->user = xstrndup(p, (size_t)(at - p));
			p = at + 1;
		}
		host = p;
		if (*host == '[') {
			/* An IPv6 address: [::1]:2222 */
			if ((end = memchr(host, ']', (size_t)(slash - host))) ==
			    NULL) {
				error_set("\"%s\": an IPv6 address needs its "
				    "closing ]", text);
				sync_where_free(w);
				return -1;
			}
			w->host = xstrndup(host + 1, (size_t)(end - host - 1));
			p = end + 1;
		} else {
			end = host;
			while (end < slash && *end != ':')
				end++;
			w->host = xstrndup(host, (size_t)(end - host));
			p = end;
		}
		if (*p == ':' && p + 1 < slash)
			w->port = xstrndup(p + 1, (size_t)(slash - p - 1));
		w->path = xstrdup(slash);
	} else {
		end = strchr(text, ':');
		at = memchr(text, '@', (size_t)(end - text));
		host = text;
		if (at != NULL) {
			w->user = xstrndup(text, (size_t)(at - text));
			host = at + 1;
		}
		w->host = xstrndup(host, (size_t)(end - host));
		w->path = xstrdup(end[1] != '\0' ? end + 1 : ".");
	}
	if (*w->host == '\0' || *w->host == '-' ||
	    (w->user != NULL && (*w->user == '\0' || *w->user == '-')) ||
	    (w->port != NULL && strspn(w->port, "0123456789") !=
	    strlen(w->port))) {
		error_set("\"%s\" is not a master location: write a directory, "
		    "HOST:/PATH or ssh://[USER@]HOST[:PORT]/PATH", text);
		sync_where_free(w);
		return -1;
	}
	return 0;
}

void
sync_where_free(struct sync_where *w)
{
	free(w->dir);
	free(w->user);
	free(w->host);
	free(w->port);
	free(w->path);
	memset(w, 0, sizeof *w);
}

/* "user@host" or "host", as ssh and the messages name it. */
static char *
link_peer(const struct sync_where *w)
{
	char	*peer;

	if (w->user != NULL)
		xasprintf(&peer, "%s@%s", w->user, w->host);
	else
		peer = xstrdup(w->host);
	return peer;
}

/* ---------------------------------------------------------------------
 * The attach: both halves here.
 */

static int
link_inproc(const char *dir, struct sync_local *sl, struct sync_stats *st)
{
	struct sync_master	*sm;
	struct wire_frame	 f;
	int			 r, ret = 0, master_done = 0;

	sm = sync_master_new(dir, NULL, 0);
	for (;;) {
		r = master_done ? SYNC_END : sync_master_next(sm, &f);
		if (r == 1) {
			st->frames_down++;
			ret = sync_local_put(sl, &f);
			wire_frame_free(&f);
			if (ret != 0)
				break;
			if (link_cut_at != 0 && st->frames_down >= link_cut_at)
				break;	/* as if the network went away */
			continue;
		}
		if (r == SYNC_END)
			master_done = 1;
		r = sync_local_next(sl, &f);
		if (r == 1) {
			st->frames_up++;
			if (!master_done)
				sync_master_put(sm, &f);
			wire_frame_free(&f);
			continue;
		}
		if (r == -1) {
			ret = -1;
			break;
		}
		if (r == SYNC_END)
			break;
		if (master_done)
			break;		/* the local waits on a master gone */
		if (sync_local_idle(sl) != 0) {
			ret = -1;
			break;
		}
		/* Both wait: one half broke the conversation. */
		error_set("the sync stopped: both halves wait on each other");
		ret = -1;
		break;
	}
	/* The master is let go (what it did not commit rolled back). */
	sync_master_free(sm);
	return ret;
}

/* ---------------------------------------------------------------------
 * The service: a pipe to crm serve through ssh.
 */

struct link_proc {
	pid_t	 pid;
	int	 to, from, err;
	char	 errbuf[LINK_ERR_MAX + 1];
	size_t	 errlen;
};

/* Split a command setting into words: spaces separate, quotes group. */
static char **
link_words(const char *text, size_t *n)
{
	char		**words = NULL, *w;
	const char	*p = text;
	size_t		 len, cap = 0;
	char		 q;

	*n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		w = xmalloc(strlen(p) + 1);
		len = 0;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (*p == '"' || *p == '\'') {
				q = *p++;
				while (*p != '\0' && *p != q)
					w[len++] = *p++;
				if (*p == q)
					p++;
			} else
				w[len++] = *p++;
		}
		w[len] = '\0';
		if (*n + 2 > cap) {
			cap = cap == 0 ? 8 : cap * 2;
			words = xreallocarray(words, cap, sizeof *words);
		}
		words[(*n)++] = w;
	}
	if (words == NULL)
		words = xcalloc(1, sizeof *words);
	words[*n] = NULL;
	return words;
}

/* A word for the remote shell: in single quotes, quotes escaped. */
static void
link_quote(char **cmd, const char *word)
{
	char		*out, *tmp;
	const char	*p;
	size_t		 n = 0;

	out = xmalloc(strlen(word) * 4 + 3);
	out[n++] = '\'';
	for (p = word; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else
			out[n++] = *p;
	}
	out[n++] = '\'';
	out[n] = '\0';
	xasprintf(&tmp, "%s%s%s", *cmd != NULL ? *cmd : "",
	    *cmd != NULL ? " " : "", out);
	free(*cmd);
	free(out);
	*cmd = tmp;
}

static int
link_nonblock(int fd)
{
	int	fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Start ssh: `SSH [-p PORT] PEER REMOTE serve PATH`. */
static int
link_start(const struct sync_where *w, struct link_proc *p)
{
	char	**ssh, **rem, **argv, *cmd = NULL, *peer;
	size_t	  nssh, nrem, i, n = 0;
	int	  in[2], out[2], err[2];

	ssh = link_words(cfg_string("sync.ssh_command"), &nssh);
	rem = link_words(cfg_string("sync.remote_crm"), &nrem);
	if (nssh == 0 || nrem == 0) {
		error_set("sync.ssh_command and sync.remote_crm must name a "
		    "program (see crm.conf(5))");
		for (i = 0; i < nssh; i++)
			free(ssh[i]);
		for (i = 0; i < nrem; i++)
			free(rem[i]);
		free(ssh);
		free(rem);
		return -1;
	}
	for (i = 0; i < nrem; i++)
		link_quote(&cmd, rem[i]);
	link_quote(&cmd, "serve");
	link_quote(&cmd, w->path);
	peer = link_peer(w);
	argv = xcalloc(nssh + 8, sizeof *argv);
	for (i = 0; i < nssh; i++)
		argv[n++] = ssh[i];
	if (link_batch) {
		argv[n++] = xstrdup("-o");
		argv[n++] = xstrdup("BatchMode=yes");
	}
	if (w->port != NULL) {
		argv[n++] = xstrdup("-p");
		argv[n++] = xstrdup(w->port);
	}
	argv[n++] = xstrdup("--");
	argv[n++] = peer;
	argv[n++] = cmd;
	argv[n] = NULL;
	for (i = 0; i < nrem; i++)
		free(rem[i]);
	free(rem);
	free(ssh);

	memset(p, 0, sizeof *p);
	p->pid = -1;
	if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) {
		error_set("cannot start %s: %s", argv[0], strerror(errno));
		goto fail;
	}
	fflush(NULL);
	if ((p->pid = fork()) == -1) {
		error_set("cannot start %s: %s", argv[0], strerror(errno));
		goto fail;
	}
	if (p->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		close(err[0]);
		close(err[1]);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(126);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->to = in[1];
	p->from = out[0];
	p->err = err[0];
	link_nonblock(p->err);
	fcntl(p->to, F_SETFD, FD_CLOEXEC);
	fcntl(p->from, F_SETFD, FD_CLOEXEC);
	fcntl(p->err, F_SETFD, FD_CLOEXEC);
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return 0;

fail:
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	return -1;
}

static void
link_read_err(struct link_proc *p)
{
	char	buf[1024];
	ssize_t	n;
	size_t	k;

	while ((n = read(p->err, buf, sizeof buf)) > 0) {
		k = (size_t)n;
		if (k > LINK_ERR_MAX - p->errlen) {
			/* Keep the end: the last lines say what failed. */
			size_t	drop = k - (LINK_ERR_MAX - p->errlen);

			if (drop > p->errlen)
				drop = p->errlen;
			memmove(p->errbuf, p->errbuf + drop, p->errlen - drop);
			p->errlen -= drop;
			if (k > LINK_ERR_MAX - p->errlen)
				k = LINK_ERR_MAX - p->errlen;
		}
		memcpy(p->errbuf + p->errlen, buf, k);
		p->errlen += k;
	}
	p->errbuf[p->errlen] = '\0';
}

/* ssh's last line of complaint, for a message ("" if none). */
static const char *
link_last_err(struct link_proc *p)
{
	char	*end, *line;

	while (p->errlen > 0 && (p->errbuf[p->errlen - 1] == '\n' ||
	    p->errbuf[p->errlen - 1] == '\r'))
		p->errbuf[--p->errlen] = '\0';
	end = p->errbuf + p->errlen;
	line = end;
	while (line > p->errbuf && line[-1] != '\n')
		line--;
	return line;
}

/* Wait for ssh to end (a few seconds, then it is stopped): its status. */
static int
link_reap(struct link_proc *p)
{
	struct timespec	 ts = { 0, 20 * 1000000 };
	int		 status = 0, i;
	pid_t		 r;

	if (p->pid <= 0)
		return 0;
	for (i = 0; i < 250; i++) {
		if ((r = waitpid(p->pid, &status, WNOHANG)) == p->pid)
			break;
		if (r == -1 && errno != EINTR)
			break;
		if (i == 150)
			kill(p->pid, SIGTERM);
		nanosleep(&ts, NULL);
		link_read_err(p);
	}
	if (i == 250) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
	p->pid = -1;
	link_read_err(p);
	return status;
}

static void
link_close(struct link_proc *p)
{
	if (p->to != -1)
		close(p->to);
	if (p->from != -1)
		close(p->from);
	p->to = p->from = -1;
}

/*
 * The conversation ended early, or never began: say why, from what ssh
 * said and how it ended. A host that could not be reached at all is
 * SYNC_E_UNREACHABLE in *code.
 */
static void
link_failed(struct link_proc *p, const struct sync_where *w, int greeted,
    int status, int *code)
{
	const char	*last = link_last_err(p);
	char		*peer = link_peer(w);
	int		 st = WIFEXITED(status) ? WEXITSTATUS(status) : -1;

	if (!greeted && st == 255) {
		*code = SYNC_E_UNREACHABLE;
		error_set("cannot reach the master's host %s%s%s: check the "
		    "network (or VPN) and that ssh %s works; nothing was "
		    "changed", peer, *last != '\0' ? ": " : "", last, peer);
	} else if (!greeted && (st == 127 || strstr(last, "not found") !=
	    NULL)) {
		error_set("%s has no crm to answer (%s): install crm there, or "
		    "set sync.remote_crm to its path; nothing was changed",
		    peer, *last != '\0' ? last : "command not found");
	} else if (!greeted && st == 126) {
		error_set("%s: set sync.ssh_command to a program that runs "
		    "(see crm.conf(5)); nothing was changed", last);
	} else if (!greeted) {
		error_set("%s did not answer as crm does%s%s: check the "
		    "master's location (db.master); nothing was changed", peer,
		    *last != '\0' ? ": " : "", last);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM &&
	    WTERMSIG(status) != SIGKILL) {
		error_set("ssh to %s stopped on signal %s: what was saved is "
		    "safe; sync again", peer, strsignal(WTERMSIG(status)));
	} else {
		error_set("the connection to %s was cut during the sync%s%s%s: "
		    "what was saved is safe; sync again to finish", peer,
		    *last != '\0' ? " (" : "", last, *last != '\0' ? ")" : "");
	}
	free(peer);
}

/*
 * The conversation over a pipe: to and from the master's half, err (or
 * -1) ssh's standard error. *greeted: the master said who it is; *said:
 * the error set says why it failed already.
 */
static int
link_talk(int to, int from, struct link_proc *p, const char *peer,
    struct sync_local *sl, struct sync_stats *st, int *greeted, int *said)
{
	struct wire_reader	 rd = { 0 };
	struct wire_out		 out = { 0 };
	struct wire_frame	 f;
	struct pollfd		 pfd[3];
	char			*line, buf[65536];
	size_t			 sent = 0;
	ssize_t			 n;
	int			 ldone = 0, ret = -1, r, waiting, version, npfd;

	*greeted = *said = 0;
	out.p = (uint8_t *)xstrdup(wire_greeting());
	out.len = strlen(wire_greeting());
	out.cap = out.len + 1;
	link_nonblock(to);
	link_nonblock(from);
	for (;;) {
		/* All the local has to say, up to what the pipe should hold. */
		waiting = 0;
		while (!ldone && out.len - sent < LINK_OUT_MAX) {
			r = sync_local_next(sl, &f);
			if (r == 1) {
				if (sent > 0 && sent == out.len)
					sent = out.len = 0;
				wire_frame_put(&out, &f);
				wire_frame_free(&f);
				st->frames_up++;
				continue;
			}
			if (r == -1) {
				*said = 1;
				goto out;
			}
			if (r == SYNC_END)
				ldone = 1;
			else
				waiting = 1;
			break;
		}
		if (ldone && sent == out.len)
			break;
		if (waiting && sent == out.len && sync_local_idle(sl) != 0) {
			*said = 1;
			goto out;
		}
		npfd = 0;
		pfd[npfd].fd = from;
		pfd[npfd++].events = POLLIN;
		pfd[npfd].fd = p != NULL ? p->err : -1;
		pfd[npfd++].events = POLLIN;
		if (sent < out.len && to != -1) {
			pfd[npfd].fd = to;
			pfd[npfd++].events = POLLOUT;
		}
		if (poll(pfd, (nfds_t)npfd, -1) == -1) {
			if (errno == EINTR)
				continue;
			error_set("waiting for the master: %s", strerror(errno));
			*said = 1;
			goto out;
		}
		if (pfd[1].revents && p != NULL)
			link_read_err(p);
		if (npfd == 3 && (pfd[2].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			n = write(to, out.p + sent, out.len - sent);
			if (n > 0) {
				sent += (size_t)n;
				st->bytes_up += (uint64_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* The other end is gone: what it said is read. */
				to = -1;
				sent = out.len;
			}
		}
		if (pfd[0].revents == 0)
			continue;
		n = read(from, buf, sizeof buf);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			goto out;	/* cut, or the master ended early */
		st->bytes_down += (uint64_t)n;
		wire_reader_feed(&rd, buf, (size_t)n);
		if (!*greeted) {
			if ((r = wire_reader_line(&rd, &line)) == 0)
				continue;
			r = wire_greeting_check(line, peer, &version);
			free(line);
			if (r != 0) {
				*said = 1;
				goto out;
			}
			*greeted = 1;
		}
		while ((r = wire_reader_next(&rd, &f)) == 1) {
			st->frames_down++;
			r = sync_local_put(sl, &f);
			wire_frame_free(&f);
			if (r != 0) {
				*said = 1;
				goto out;
			}
			if (link_cut_at != 0 && st->frames_down >= link_cut_at)
				goto out;	/* test builds: the network goes */
		}
		if (r == -1) {
			*said = 1;
			goto out;
		}
	}
	ret = 0;
out:
	wire_reader_free(&rd);
	free(out.p);
	return ret;
}

static int
link_service(const struct sync_where *w, struct sync_local *sl,
    struct sync_stats *st, int *code)
{
	struct link_proc	 p;
	struct sigaction	 sa, old;
	char			*peer;
	int			 ret, status, greeted, said;

	if (link_start(w, &p) != 0)
		return -1;
	/* A closed pipe is an error returned, not a signal that kills. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	peer = link_peer(w);
	ret = link_talk(p.to, p.from, &p, peer, sl, st, &greeted, &said);
	free(peer);
	if (ret != 0 && link_cut_at != 0)
		kill(p.pid, SIGKILL);
	link_close(&p);
	status = link_reap(&p);
	if (ret != 0 && (!said || (!greeted && WIFEXITED(status) &&
	    WEXITSTATUS(status) >= 126)))
		link_failed(&p, w, greeted, status, code);
	close(p.err);
	sigaction(SIGPIPE, &old, NULL);
	return ret;
}

/* The results of a conversation: the local half's own, and its code. */
static int
link_result(struct sync_local *sl, int ret, int *code)
{
	int	lcode = 0;

	if (ret == 0) {
		if (sync_local_result(sl, NULL, &lcode) == -1) {
			ret = -1;
			*code = lcode;
		}
	} else if (*code == 0) {
		/* The reason said already stays; the master's code joins it. */
		char	*saved = xstrdup(error_get());

		if (sync_local_result(sl, NULL, &lcode) == -1)
			*code = lcode;
		error_set("%s", saved);
		free(saved);
	}
	return ret;
}

int
sync_link_fds(int to, int from, struct sync_local *sl,
    struct sync_stats *st, int *code)
{
	struct sigaction	 sa, old;
	int			 ret, greeted, said;

	memset(st, 0, sizeof *st);
	*code = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old);
	ret = link_talk(to, from, NULL, "the master", sl, st, &greeted, &said);
	sigaction(SIGPIPE, &old, NULL);
	if (ret != 0 && !said)
		error_set("the connection to the master was cut during the "
		    "sync: what was saved is safe; sync again to finish");
	st->turns = sync_local_turns(sl);
	st->left = sync_local_left(sl);
	return link_result(sl, ret, code);
}

int
sync_link_run(const struct sync_where *w, struct sync_local *sl,
    struct sync_stats *st, int *code)
{
	int	ret;

	memset(st, 0, sizeof *st);
	*code = 0;
	if (w->dir != NULL)
		ret = link_inproc(w->dir, sl, st);
	else
		ret = link_service(w, sl, st, code);
	st->turns = sync_local_turns(sl);
	st->left = sync_local_left(sl);
	return link_result(sl, ret, code);
}
/* ---------------------------------------------------------------------
 * crm serve.
 */

int
sync_serve(int in, int out, const char *dir, const char *only_login)
{
	struct sync_master	*sm;
	struct wire_reader	 rd = { 0 };
	struct wire_out		 o = { 0 };
	struct wire_frame	 f;
	struct sigaction	 sa;
	const char		*g = wire_greeting();
	char			*line = NULL;
	int			 r, ret = -1, version;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (wire_write_all(out, g, strlen(g)) != 0)
		return -1;
	if (wire_read_line(in, &rd, &line) != 1 ||
	    wire_greeting_check(line, "the local", &version) != 0) {
		free(line);
		wire_reader_free(&rd);
		return -1;
	}
	free(line);
	sm = sync_master_new(dir, only_login, 1);
	for (;;) {
		while ((r = sync_master_next(sm, &f)) == 1) {
			wire_frame_put(&o, &f);
			wire_frame_free(&f);
			if (o.len >= LINK_OUT_MAX) {
				if (wire_write_all(out, o.p, o.len) != 0)
					goto out;
				o.len = 0;
			}
		}
		/* Everything said before waiting, or the other side waits too. */
		if (o.len > 0 && wire_write_all(out, o.p, o.len) != 0)
			goto out;
		o.len = 0;
		if (r == SYNC_END)
			break;
		if ((r = wire_read_frame(in, &rd, &f)) != 1) {
			if (r == 0)
				error_set("the local closed the connection in the "
				    "middle of the sync: nothing it did not "
				    "commit was kept");
			goto out;
		}
		sync_master_put(sm, &f);
		wire_frame_free(&f);
	}
	ret = 0;
out:
	sync_master_free(sm);
	wire_reader_free(&rd);
	free(o.p);
	return ret;
}
