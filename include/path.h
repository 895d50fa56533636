/*
 * path: file names as a person types them at a prompt: "~" expanded and
 * completion of directories and files from a typed prefix, as a shell's
 * Tab does. No curses here: the screens show what these return.
 */
#ifndef CRM_PATH_H
#define CRM_PATH_H

#include <stddef.h>

/*
 * "~" and "~/x" become $HOME (else the password file's home) and
 * "$HOME/x"; "~user/x" becomes that user's home. Anything else, and a
 * "~user" that names nobody, is returned as it is. Free it; cannot fail.
 */
char	*path_expand(const char *typed);

/* What path_complete found. */
struct path_completion {
	char	*text;		/* the typed text, completed as far as it goes */
	char	**names;	/* the candidates' names (directories end in /) */
	size_t	 n;		/* 0: nothing matches */
};

/*
 * Complete typed (expanded first): the entries of its directory that
 * start with its last component, hidden ones only when that component
 * starts with a dot. text is extended by the longest prefix all the
 * candidates share; a single directory gets its "/", a single file
 * nothing after it (the prompt is done). names are sorted. Cannot fail:
 * an unreadable directory completes nothing.
 */
void	 path_complete(const char *typed, struct path_completion *);
void	 path_completion_free(struct path_completion *);

/*
 * A file name from elsewhere (a record's filename, a synced file) made
 * safe to write under a directory (RULES.md T7): its last component, with
 * control characters and leading dots taken out; "file" if nothing is
 * left. Free it; cannot fail.
 */
char	*path_base_safe(const char *name);

#endif
