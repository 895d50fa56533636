/*
 * cli: the command line (CLI.md). Each command is a row of one table;
 * cli_options reads the global options and cli_run runs one.
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "session.h"
#include "store.h"
#include "user.h"

#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

/*
 * What every command gets: the global options and, once opened, the
 * session of the screens (include/session.h): the database, who is
 * logged in, the password kept for the master.
 */
struct cli {
	const char	*dir;		/* -d, or the configured default */
	const char	*login;		/* -u, $CRM_USER, or a local's own user */
	const char	*password_file;	/* --password-file */
	struct session	 s;
	struct user_check *check;	/* between cli_open_start and _finish */
};

struct cli_cmd {
	const char	*name;
	int		(*exec)(struct cli *, int argc, char **argv);
	const char	*usage;
	const char	*help;
};

/*
 * Read crm's global options into cli and load the configuration. Returns
 * the index in argv of the command, argc when there is none, or -1 when
 * crm is done (--help, --version, a bad option, a bad configuration),
 * with its exit status in *ret.
 */
int	 cli_options(struct cli *, int argc, char **argv, int *ret);
/* Run the command argv[0] with its arguments; crm's exit status. */
int	 cli_run(struct cli *, int argc, char **argv);

/*
 * Open the database of cli->dir and log in as cli->login, asking for the
 * password as CLI.md says. Prints nothing; -1 with the error set.
 */
int	 cli_open(struct cli *);
/*
 * cli_open in two halves: the database is open and the password check
 * under way after the first, the user logged in (or refused, and the
 * database closed) after the second. Between them nothing may be shown
 * or written on the user's behalf.
 */
int	 cli_open_start(struct cli *);
int	 cli_open_finish(struct cli *);
void	 cli_close(struct cli *);
/* The password: --password-file, $CRM_PASSWORD, or the terminal. */
char	*cli_password(struct cli *, const char *prompt, int confirm);
/* Ask on the terminal with echo off (twice if confirm); NULL if no terminal. */
char	*cli_ask(const char *prompt, int confirm);
/* Split FIELD=VALUE arguments; -1 (error set) if one has no '='. */
int	 cli_changes(int argc, char **argv, struct model_change **out);
/* Write a value for list output: tab, newline, CR, backslash escaped. */
void	 cli_put_escaped(FILE *, const char *);
/* One tab-separated row of a record's fields, escaped, then a newline. */
void	 cli_put_row(FILE *, const struct record *, const char *const *fields,
	    size_t n);
/* Print the error on stderr as "crm: ..." and return CLI_FAIL. */
int	 cli_fail(void);
/* Print "crm CMD: usage" on stderr and return CLI_USAGE. */
int	 cli_usage(const struct cli_cmd *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Standard --help handling: 1 if argv asks for help (and it was printed). */
int	 cli_want_help(const struct cli_cmd *, int argc, char **argv);
const struct cli_cmd *cli_find(const char *name);

/*
 * --where FIELD=VALUE conditions (list, export): checked against a type,
 * answered through the ref or owner index when one applies.
 */
struct cli_where {
	char	*field;
	char	*value;
};
struct cli_filter {
	struct cli_where	*where;
	size_t			 n;
	int			 by_index;	/* its cursor walks an index */
};
void	 cli_filter_add(struct cli_filter *, char *field, char *value);
/* "FIELD=VALUE" (arg is split in place); -1 (error set) without '='. */
int	 cli_filter_arg(struct cli_filter *, char *arg);
/* -1 (error set) if a condition names a field the type lacks. */
int	 cli_filter_check(struct cli_filter *, int type);
/* A cursor over the records the conditions may match, in list order. */
int	 cli_filter_open(struct cli_filter *, struct store_txn *, int type,
	    struct store_cursor **);
int	 cli_filter_match(const struct cli_filter *, const struct record *);
void	 cli_filter_free(struct cli_filter *);
/*
 * The records of a cursor over an index (cli_filter_open, by_index) that
 * match, as rows of the fields, in the index's order, read in the
 * records' order (cli-list.c). -1 (error set) when the store failed.
 */
int	 cli_list_window(struct store_txn *, int type, struct store_cursor *,
	    struct cli_filter *, char **fields, size_t nfields);

int	 cli_init(struct cli *, int, char **);
int	 cli_user(struct cli *, int, char **);
int	 cli_lock(struct cli *, int, char **);
int	 cli_encrypt(struct cli *, int, char **);
/* Print what session_role found and did, if anything, on stderr. */
void	 cli_notice(void);
int	 cli_unlock(struct cli *, int, char **);
/*
 * Give store the key of cli->dir, an encrypted local, from the session
 * keyring or the password (then kept in cli->password).
 */
int	 cli_open_key(struct cli *);
int	 cli_add(struct cli *, int, char **);
int	 cli_set(struct cli *, int, char **);
int	 cli_get(struct cli *, int, char **);
int	 cli_list(struct cli *, int, char **);
int	 cli_delete(struct cli *, int, char **);
/* A day at the keyboard: deleted records, duplicates. */
int	 cli_undelete(struct cli *, int, char **);
int	 cli_duplicates(struct cli *, int, char **);
int	 cli_merge(struct cli *, int, char **);
int	 cli_import(struct cli *, int, char **);
int	 cli_export(struct cli *, int, char **);
int	 cli_attach(struct cli *, int, char **);
int	 cli_config(struct cli *, int, char **);
int	 cli_demo(struct cli *, int, char **);
int	 cli_verify(struct cli *, int, char **);
int	 cli_sync(struct cli *, int, char **);
int	 cli_serve(struct cli *, int, char **);
int	 cli_conflicts(struct cli *, int, char **);
/* Documents and letters. */
int	 cli_document(struct cli *, int, char **);
int	 cli_template(struct cli *, int, char **);
int	 cli_letter(struct cli *, int, char **);
int	 cli_query(struct cli *, int, char **);

#endif
