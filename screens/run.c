/*
 * run (screens/run.c): external programs ($PAGER, $EDITOR, a viewer) in
 * the screens. They get the terminal as tig and calcurse give it: the
 * screen is ended (endwin) while they run and painted whole after, and
 * crm ignores Ctrl-C meanwhile, which belongs to the program.
 */
#include "config.h"

#include <sys/wait.h>

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/*
 * Run command with file as its argument ("$1" of sh -c, so $PAGER and
 * $EDITOR may hold options). The exit status, RUN_NOT_FOUND, or -1
 * (message set). Not found is the caller's to say: only it knows which
 * variable names the command and what becomes of the file.
 */
int
run_program(const char *command, const char *file)
{
	struct sigaction	 ign, oldint, oldquit;
	char			*line;
	pid_t			 pid;
	int			 status;

	/* Never keep a master while a person reads or writes. */
	if (app.open && app.s.role == STORE_MASTER) {
		session_release(&app.s);
		session_hold(&app.s);
	}
	xasprintf(&line, "%s \"$1\"", command);
	def_prog_mode();
	endwin();
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oldint);
	sigaction(SIGQUIT, &ign, &oldquit);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execl("/bin/sh", "sh", "-c", line, "sh", file, (char *)NULL);
		_exit(127);
	}
	status = -1;
	if (pid != -1) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			/* nothing */;
	}
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	reset_prog_mode();
	refresh();
	tui_redraw(REDRAW_ALL);
	free(line);
	if (pid == -1) {
		tui_message(1, "cannot run %s: %s", command, strerror(errno));
		return -1;
	}
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127)
			return RUN_NOT_FOUND;
		return WEXITSTATUS(status);
	}
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

const char *
run_env(const char *name, const char *def)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

char *
run_which(const char *prog)
{
	const char	*path = run_env("PATH", "/usr/bin:/bin");
	char		*copy, *p, *dir, *full;

	copy = xstrdup(path);
	for (p = copy; (dir = strsep(&p, ":")) != NULL;) {
		xasprintf(&full, "%s/%s", *dir != '\0' ? dir : ".", prog);
		if (access(full, X_OK) == 0) {
			free(copy);
			return full;
		}
		free(full);
	}
	free(copy);
	return NULL;
}

/* A temporary file for text a person edits, 0600; NULL (message shown). */
char *
run_temp(const char *data, size_t len, const char *ext)
{
	char	*path;
	size_t	 done = 0;
	ssize_t	 n;
	int	 fd;

	xasprintf(&path, "%s/crm-XXXXXX%s", run_env("TMPDIR", "/tmp"), ext);
	if ((fd = mkstemps(path, (int)strlen(ext))) == -1) {
		tui_message(1, "cannot make a temporary file in %s: %s",
		    run_env("TMPDIR", "/tmp"), strerror(errno));
		free(path);
		return NULL;
	}
	while (done < len && (n = write(fd, data + done, len - done)) > 0)
		done += (size_t)n;
	if (close(fd) != 0 || done != len) {
		tui_message(1, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Run $EDITOR on path; 0 if it ended well. Else the message says where
 * the text is: path is kept, as it holds what the person wrote (or the
 * letter made for them), whatever went wrong.
 */
int
run_editor(const char *path)
{
	const char	*editor = run_env("EDITOR", "vi");
	char		 why[sizeof app.msg];
	int		 status;

	if ((status = run_program(editor, path)) == 0)
		return 0;
	if (status == RUN_NOT_FOUND)
		tui_message(1, "cannot run the editor \"%s\": it was not "
		    "found; set EDITOR to one you have. Nothing was recorded: "
		    "the text is kept in %s", editor, path);
	else if (status > 0)
		tui_message(1, "%s ended with status %d: nothing was "
		    "recorded; the text is kept in %s", editor, status, path);
	else {
		/* run_program said why; app.msg is written over. */
		snprintf(why, sizeof why, "%s", app.msg);
		tui_message(1, "%s; nothing was recorded: the text is kept in "
		    "%s", why, path);
	}
	return -1;
}
