/*
 * run (screens/run.c): external programs in the screens ($PAGER, $EDITOR,
 * a viewer), given the terminal while they run.
 */
#ifndef CRM_RUN_H
#define CRM_RUN_H

#include <stddef.h>

/* run_program: the shell found no such command (no message set). */
#define RUN_NOT_FOUND	(-2)

/*
 * Run command (from $PAGER, $EDITOR: it may hold options) on file, the
 * screen ended meanwhile and no master held: its exit status,
 * RUN_NOT_FOUND, or -1 (message set). Not found is the caller's to say:
 * only it knows which variable names the command and what becomes of the
 * file.
 */
int	 run_program(const char *command, const char *file);
/* A temporary file (0600) holding data; NULL with the message shown. */
char	*run_temp(const char *data, size_t len, const char *ext);
/*
 * $EDITOR on path: 0 if it ended well, else -1 with the message shown
 * (which says the text is kept in path).
 */
int	 run_editor(const char *path);
/* An environment variable, or def when it is unset or empty. */
const char *run_env(const char *name, const char *def);
/* A program on $PATH (free it), or NULL. */
char	*run_which(const char *prog);

#endif
