/* cli: the command line of CLI.md: global options, login, dispatch. */
#include "config.h"


#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "error.h"
#include "model.h"
#include "session.h"
#include "store.h"
#include "user.h"
#include "vault.h"
#include "xmalloc.h"

static const struct cli_cmd cli_cmds[] = {
	{ "init", cli_init,
	  "init --master DIR --admin LOGIN --admin-id UID [--name NAME]\n"
	  "            [--encrypt [--key-file FILE]]\n"
	  "       crm -u LOGIN init --local DIR --master MASTERDIR",
	  "Create a master database with its first administrator, or an "
	  "empty local\ndatabase for LOGIN bound to a master (LOGIN's password "
	  "is checked there).\n--encrypt encrypts the master with a key kept "
	  "in DIR/master.key, or FILE,\nreadable by the service account "
	  "alone." },
	{ "sync", cli_sync,
	  "sync [--dry-run] [--verify] [--wait SECONDS] [--stats]",
	  "Synchronize this local with its master (RULES.md) and print what "
	  "moved, file\nby file. --dry-run prints the same table and changes "
	  "nothing; --verify\ncompares every record in scope and lists the "
	  "differences; --stats adds the\nround trips, frames and bytes of "
	  "the conversation. A master named HOST:/PATH\nor "
	  "ssh://[USER@]HOST[:PORT]/PATH is reached through ssh and crm serve "
	  "there." },
	{ "serve", cli_serve, "serve [--user LOGIN] DIR",
	  "The master's half of a sync, spoken on standard input and output "
	  "for\ncrm sync, which runs it through ssh. With --user only LOGIN "
	  "may sync (a\nforced command in authorized_keys binds a key to a "
	  "login this way)." },
	{ "conflicts", cli_conflicts,
	  "conflicts\n       crm conflicts show ID\n       crm conflicts "
	  "restore ID",
	  "List the values syncs overwrote or refused, show one, or put a "
	  "lost value\nback (the next sync carries it)." },
	{ "user", cli_user,
	  "user add LOGIN --id UID [--name NAME] [--type admin|user|remote]\n"
	  "                [--restricted] [--may-change-manager] "
	  "[--password-file FILE]\n"
	  "       crm user set LOGIN [--name NAME] [--type admin|user|remote]\n"
	  "                [--restricted|--unrestricted]\n"
	  "                [--may-change-manager|--may-not-change-manager]\n"
	  "       crm user passwd LOGIN [--password-file FILE]\n"
	  "       crm user list",
	  "Add a user, change one's name, type and rights, or set a password "
	  "\n(administrators only, on the master; anyone may set their own "
	  "password) or\nlist the users. A new password comes from the "
	  "--password-file given after\nthe subcommand, else "
	  "$CRM_NEW_PASSWORD, else a prompt on the terminal. On your own "
	  "encrypted\nlocal, crm user passwd YOURLOGIN changes the password "
	  "that opens it (the\nmaster's is changed on the master; a "
	  "forgotten one means a new local)." },
	{ "unlock", cli_unlock, "unlock [--print-key]",
	  "Open this encrypted local's key with your password and keep it "
	  "in the login\nsession for security.unlock_minutes, so that "
	  "commands ask for no password\nmeanwhile. --print-key also prints "
	  "the key as Berkeley DB's password, for an\nadministrator's "
	  "recovery with db5.3_dump -P KEY (see crm(1), FILES)." },
	{ "encrypt", cli_encrypt, "encrypt",
	  "Encrypt this local, made plain by a version of crm before "
	  "encryption, as\nnew locals are (see crm(1), ENCRYPTION): asks its "
	  "user's password, under\nwhich its key is sealed, and loses "
	  "nothing: records, outbox, conflict log,\nsync state, drafts and "
	  "attached files. Another crm may not have it open\nmeanwhile. "
	  "Stopped at any moment, the local is the old plain one or the "
	  "new\nencrypted one; the plain files are removed, not kept. A "
	  "forgotten password\nthen means a new local (crm init --local, "
	  "then crm sync)." },
	{ "lock", cli_lock, "lock",
	  "Forget this encrypted local's key in the login session now: the "
	  "next command\nasks for the password again (security.unlock_minutes "
	  "says for how long it\nis kept otherwise)." },
	{ "add", cli_add, "add TYPE FIELD=VALUE...",
	  "Create a record and print its ID." },
	{ "set", cli_set, "set TYPE ID FIELD=VALUE...",
	  "Change fields of a record. ID may be any unique prefix." },
	{ "get", cli_get, "get TYPE ID",
	  "Print a record as FIELD=VALUE lines, metadata first." },
	{ "list", cli_list,
	  "list TYPE [--search TEXT] [--where FIELD=VALUE]... [--fields "
	  "F,F...]",
	  "Print records as tab-separated rows under a header line, in name "
	  "order.\nWith --where on a reference (company, contact, campaign, "
	  "parent) or an owner\n(account_manager, assigned_to) the rows are "
	  "found through that index and\ncome in creation order. --search "
	  "finds records as the screens' / does: each\nword of TEXT starts "
	  "a word of a name, email, city or phone number, or of\nthe "
	  "record's company or contact, in any case and with or without "
	  "accents;\nphone numbers match on their digits. Tabs, newlines "
	  "and backslashes in values\nare written \\t, \\n and \\\\." },
	{ "delete", cli_delete, "delete TYPE ID",
	  "Delete a record (a tombstone remains for sync). Non-administrators "
	  "may delete\ncampaigns and targets, the tasks, issues and events "
	  "assigned to them, and the\ncompanies, contacts, notes and "
	  "opportunities they created." },
	{ "undelete", cli_undelete, "undelete [TYPE ID]",
	  "Without arguments, list the deleted records you may bring back, "
	  "newest first\n(type, ID, name, when and by whom it was "
	  "deleted); with TYPE and ID (any\nunique prefix), bring one back "
	  "as it was. A record comes back as a change\nmade now, so the "
	  "next sync carries it; one linked to a record deleted too\nwaits "
	  "for that one. The rights to delete a record are those to bring it "
	  "back." },
	{ "duplicates", cli_duplicates, "duplicates company|contact",
	  "List the records that look entered twice: the same name (case "
	  "and accents\naside) and nothing telling them apart (a company's "
	  "city, a contact's email).\nEach group of records is one line "
	  "per record: group, ID, name, city or\nemail, when it was made." },
	{ "merge", cli_merge, "merge company|contact KEEP LOSE",
	  "Make two records one: the records linked to LOSE (contacts, "
	  "notes, tasks...)\nare linked to KEEP, KEEP's empty fields take "
	  "LOSE's values, and LOSE is\ndeleted, kept whole in the conflict "
	  "log (crm conflicts) to be made again if\nneed be. KEEP and LOSE "
	  "may be any unique prefix of an ID." },
	{ "import", cli_import, "import TYPE FILE [--format csv|vcard|ical] "
	  "[--dry-run]\n"
	  "                [--skip-refused] [--map MAPFILE] [--ignore-unknown]\n"
	  "                [--encoding NAME] [--separator ,|;|tab]",
	  "Add and update records from CSV (any type; crm's, Google Contacts' "
	  "or\nOutlook's columns, any encoding and separator, found or "
	  "given), vCard\n(contacts, companies) or iCalendar (events, tasks; "
	  "times in the local zone).\nA row whose id or UID is a record "
	  "here, or that an earlier import made,\nupdates it; so does one "
	  "whose name (and email) matches; others are added.\nAll rows or "
	  "none: a refused row stops the import, named with its line and\n"
	  "reason, unless --skip-refused. --dry-run says what each row would "
	  "do.\nA column with no field refuses the file: --map says where it "
	  "goes,\n--ignore-unknown leaves it out." },
	{ "export", cli_export,
	  "export TYPE [FILE] [--format csv|vcard|ical] [--where FIELD=VALUE]...\n"
	  "                [--ids] [--plain] [--floating]\n"
	  "       export all DIR [--ids] [--plain]",
	  "Write the records of TYPE (those --where picks, as for list) to "
	  "FILE or stdout:\nCSV with a header row, vCard 4.0 (contacts and "
	  "companies) or iCalendar\n(events and tasks). FILE ending .vcf or "
	  ".ics chooses the format when\n--format is not given. References "
	  "are names (--ids: IDs); the CSV is safe\nin a spreadsheet (a quote "
	  "before = + - @ and leading zeros; --plain: as\nthey are); times are "
	  "UTC (--floating: wall-clock). FILE is written whole\n(0600) and "
	  "then renamed into place.\nexport all DIR writes every type, each "
	  "to DIR/TYPE.csv, from one snapshot." },
	{ "query", cli_query, "query STRING",
	  "For mutt's query_command: a first line mutt skips, then "
	  "email<TAB>name<TAB>company\nfor each contact with an email that "
	  "the screens' search finds for STRING\n(each word at the start of "
	  "a word of the name, email or company, or inside it;\nany case, "
	  "accents or none), in name order. Exit status 1 when nothing "
	  "matches." },
	{ "attach", cli_attach, "attach TYPE ID FILE --description TEXT",
	  "Copy FILE into the database's documents/ and attach it to a "
	  "record;\nprints the document's ID." },
	{ "config", cli_config, "config get KEY\n       crm config set KEY VALUE",
	  "Read or change a database setting (see crm.conf(5))." },
	{ "demo", cli_demo, "demo DIR [--records N] [--encrypt]",
	  "Create a master filled with N realistic sample records (login "
	  "demo,\npassword demo); --encrypt as init --master --encrypt." },
	{ "verify", cli_verify, "verify",
	  "Check every file of the database and its log, with no other crm "
	  "using it,\nand name each that is damaged (status 1 if any is)." },
	/* Documents and letters. */
	{ "document", cli_document, "document show ID [-o FILE]",
	  "Print the content of the document ID (an ID prefix) on stdout, or "
	  "with -o\nwrite it to FILE (0600, under a temporary name, then "
	  "renamed). The file\nis checked against its SHA-256 first; in an "
	  "encrypted local it is\nunsealed only on its way out." },
	{ "template", cli_template,
	  "template add NAME FILE [--description TEXT]\n"
	  "       crm template replace NAME|ID FILE\n"
	  "       crm template show NAME|ID",
	  "Add a letter template from a text FILE (copied into the "
	  "database's\ntemplates/; prints its ID), give a template new text, "
	  "or print its text.\nTemplates are plain text with fields such as "
	  "{{contact.first_name}},\n{{company.name}}, {{user.name}} and "
	  "{{date}}; see crm(1), Letters." },
	{ "letter", cli_letter, "letter TEMPLATE CONTACT [-o FILE]",
	  "Write a letter to CONTACT (an ID prefix) from TEMPLATE (a name or "
	  "an ID\nprefix): print it on stdout, or with -o write it to FILE "
	  "(0600) and print\nnothing there. Either way the letter is recorded "
	  "as a note \"Letter: NAME\" of\nthe contact and its company, with "
	  "the letter attached as a document, and\nstderr says \"recorded "
	  "note ID with the letter as document ID\". A field\nthe template "
	  "does not know is an error naming it and its line." },
	{ NULL, NULL, NULL, NULL }
};

const struct cli_cmd *
cli_find(const char *name)
{
	const struct cli_cmd	*c;

	for (c = cli_cmds; c->name != NULL; c++) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static void
cli_usage_all(FILE *f)
{
	const struct cli_cmd	*c;

	fprintf(f, "usage: crm [-d DIR] [-u LOGIN] [--password-file FILE] "
	    "[COMMAND [ARGS...]]\n\ncommands:\n");
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(f, "  crm %s\n", c->usage);
	fprintf(f, "\nRun \"crm COMMAND --help\" for one command; see crm(1).\n"
	    "Without a command crm starts the full-screen application.\n");
}

void
cli_notice(void)
{
	const char	*notice;

	if ((notice = session_notice()) != NULL)
		fprintf(stderr, "crm: %s\n", notice);
}

int
cli_fail(void)
{
	int	sig = store_interrupted();

	/* A reader that went away (crm list | head) wants no message. */
	if (sig == SIGPIPE)
		return CLI_FAIL;
	/*
	 * A write or read the signal cut short (signals do not restart
	 * them, cli_catch_signals) failed with EINTR: what the user must
	 * hear is that the command was stopped.
	 */
	if (sig != 0)
		store_stopped();
	fprintf(stderr, "crm: %s\n", error_get());
	return CLI_FAIL;
}

/*
 * The longest a command told to stop may take to reach its next step:
 * one stuck inside Berkeley DB (a file damaged so that a search goes
 * round for ever) would otherwise never stop. After it, or at a second
 * Ctrl-C or SIGTERM, crm dies at once, and the next crm to attach the
 * master recovers it.
 */
#define CLI_STOP_SECONDS	10
static unsigned	cli_stop_seconds = CLI_STOP_SECONDS;

/* Die now of the signal that stopped the command. */
static void
cli_die(int sig)
{
	static const char	msg[] = "crm: stopped at once, before it "
	    "could let the database go; the next command recovers it\n";
	int			stop = store_interrupted();
	ssize_t			n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)n;
	signal(stop, SIG_DFL);
	raise(stop);
	_exit(128 + stop);
}

static void
cli_on_signal(int sig)
{
	int	first = store_interrupted() == 0;

	if (!first && sig == store_interrupted() && sig != SIGPIPE)
		cli_die(sig);
	store_interrupt(sig);
	if (first) {
		signal(SIGALRM, cli_die);
		alarm(cli_stop_seconds);
	}
}

/*
 * A command stops where it stands when told to (Ctrl-C, SIGTERM, a
 * dropped connection's SIGHUP) or when its output goes away (SIGPIPE:
 * crm list | head): the store fails the next step, the command aborts
 * its transaction and lets the database go, and only then does crm die
 * of the signal, as it would have, so that the next crm to attach a
 * master finds it released, with nothing to recover. Without SA_RESTART,
 * a read from the terminal or a pipe returns at once.
 */
static void
cli_catch_signals(void)
{
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction	sa, old;
	size_t			i;

#ifdef CRM_FAULT_INJECTION
	const char		*env;

	/* The tests' stuck commands need not wait the whole time. */
	if ((env = getenv("CRM_STOP_SECONDS")) != NULL && *env != '\0')
		cli_stop_seconds = (unsigned)strtoul(env, NULL, 10);
#endif
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		/* What was ignored stays so (nohup crm import ...). */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN && sigs[i] != SIGPIPE)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Die of the signal that stopped the command, once all is let go. */
static void
cli_reraise(void)
{
	int	sig = store_interrupted();

	if (sig == 0)
		return;
	fflush(NULL);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "crm %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: crm %s\n", cmd->usage);
	return CLI_USAGE;
}

int
cli_want_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			printf("usage: crm %s\n\n%s\n", cmd->usage, cmd->help);
			return 1;
		}
	}
	return 0;
}

/* Read a line from the terminal with echo off. */
static char *
cli_prompt(const char *prompt)
{
	struct termios	 old, quiet;
	FILE		*tty;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 fd;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return NULL;
	fd = fileno(tty);
	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, tty);
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

char *
cli_password(struct cli *cli, const char *prompt, int confirm)
{
	char	*pw;

	pw = session_password_given(cli->password_file);
	if (pw != NULL || cli->password_file != NULL)
		return pw;
	if ((pw = cli_ask(prompt, confirm)) == NULL)
		error_prefix("no password: give --password-file FILE, set "
		    "CRM_PASSWORD, or run crm on a terminal to be asked; ");
	return pw;
}

char *
cli_ask(const char *prompt, int confirm)
{
	char	*pw, *again;

	if (!isatty(STDIN_FILENO) || (pw = cli_prompt(prompt)) == NULL) {
		error_set("no terminal to ask on");
		return NULL;
	}
	if (confirm) {
		if ((again = cli_prompt("Again: ")) == NULL ||
		    strcmp(again, pw) != 0) {
			free(again);
			free(pw);
			error_set("the two passwords differ: nothing was "
			    "changed");
			return NULL;
		}
		free(again);
	}
	return pw;
}

/* The session of cli->dir, before its database is opened. */
static void
cli_session(struct cli *cli)
{
	if (cli->s.dir == NULL)
		cli->s.dir = xstrdup(cli->dir);
}

/*
 * An encrypted local opens with its data key: from the
 * session keyring when no password was given on purpose, else from the
 * password, kept there for security.unlock_minutes (session_key, as
 * the screens' login). Only the local's own user holds the password
 * that opens it.
 */
int
cli_open_key(struct cli *cli)
{
	uint8_t		 key[VAULT_KEY_SIZE];
	char		*pw;
	int		 ret = 1;

	cli_session(cli);
	if (cli->password_file == NULL && getenv("CRM_PASSWORD") == NULL &&
	    (ret = session_key(&cli->s, cli->login, NULL, key)) == -1)
		return -1;
	if (ret == 1) {
		if ((pw = cli_password(cli, "Password: ", 0)) == NULL)
			return -1;
		if (session_key(&cli->s, cli->login, pw, key) != 0) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
			return -1;
		}
		session_forget(&cli->s);
		cli->s.password = pw;
	}
	store_set_key_bytes(cli->dir, key);
	explicit_bzero(key, sizeof key);
	return 0;
}

int
cli_open_start(struct cli *cli)
{
	char			*pw;
	struct store_txn	*t;
	int			 encrypted;

	cli_session(cli);
	if (session_role(cli->dir, &cli->s.role) != 0)
		return -1;
	cli->s.wait_seconds = (int)cfg_int("master.wait_seconds");
	cli_notice();
	if (cli->login == NULL && cli->s.role == STORE_LOCAL &&
	    *cfg_string("db.user") != '\0')
		cli->login = cfg_string("db.user");
	if (cli->login == NULL) {
		error_set("who is working? give -u LOGIN or set CRM_USER");
		return -1;
	}
	encrypted = cli->s.role == STORE_LOCAL && vault_encrypted(cli->dir);
	if (encrypted && cli_open_key(cli) != 0)
		return -1;
	cli->s.st = model_open(cli->dir, cli->s.role, 0, cli->s.wait_seconds);
	if (cli->s.st == NULL)
		return -1;
	if (encrypted) {
		if (session_login_unlocked(&cli->s, cli->login,
		    &cli->s.user) != 0)
			goto fail;
		cli->s.logged_in = 1;
		return 0;
	}
	if ((pw = cli_password(cli, "Password: ", 0)) == NULL)
		goto fail;
	if (store_begin(cli->s.st, &t) != 0) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		goto fail;
	}
	cli->check = user_login_start(t, cli->login, pw, cli->s.role);
	store_abort(t);
	if (cli->check == NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		goto fail;
	}
	/* The master checks it again when this local syncs (RULES.md T1). */
	session_forget(&cli->s);
	cli->s.password = pw;
	return 0;

fail:
	cli_close(cli);
	return -1;
}

int
cli_open_finish(struct cli *cli)
{
	struct user_check	*c = cli->check;

	cli->check = NULL;
	/* An encrypted local's login was its unlocking (cli_open_start). */
	if (c == NULL && cli->s.logged_in)
		return 0;
	if (c == NULL || user_login_finish(c, &cli->s.user) != 0) {
		cli_close(cli);
		return -1;
	}
	cli->s.logged_in = 1;
	return 0;
}

int
cli_open(struct cli *cli)
{
	if (cli_open_start(cli) != 0)
		return -1;
	return cli_open_finish(cli);
}

void
cli_close(struct cli *cli)
{
	struct user	 u;
	char		*saved;

	/* A check still under way is waited for, and its answer dropped. */
	if (cli->check != NULL) {
		saved = xstrdup(error_get());
		if (user_login_finish(cli->check, &u) == 0)
			user_clear(&u);
		cli->check = NULL;
		error_set("%s", saved);
		free(saved);
	}
	session_close(&cli->s);
}

int
cli_options(struct cli *cli, int argc, char **argv, int *ret)
{
	int	i;

	memset(cli, 0, sizeof *cli);
	cli->login = getenv("CRM_USER");
	if (cli->login != NULL && *cli->login == '\0')
		cli->login = NULL;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_usage_all(stdout);
			*ret = CLI_OK;
			return -1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("crm %s\n", PACKAGE_VERSION);
			*ret = CLI_OK;
			return -1;
		} else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			cli->dir = argv[++i];
		else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc)
			cli->login = argv[++i];
		else if (strcmp(argv[i], "--password-file") == 0 &&
		    i + 1 < argc)
			cli->password_file = argv[++i];
		else {
			fprintf(stderr, "crm: unknown option %s, or it lacks "
			    "its value\n", argv[i]);
			cli_usage_all(stderr);
			*ret = CLI_USAGE;
			return -1;
		}
	}
	if (cfg_load(NULL) != 0) {
		*ret = cli_fail();
		return -1;
	}
	store_set_cache_mb((int)cfg_int("store.cache_mb"));
	return i;
}

int
cli_run(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd;
	int			 ret;

	if ((cmd = cli_find(argv[0])) == NULL) {
		fprintf(stderr, "crm: unknown command \"%s\"\n", argv[0]);
		cli_usage_all(stderr);
		return CLI_USAGE;
	}
	if (cli_want_help(cmd, argc, argv))
		return CLI_OK;
	if (cli->dir == NULL)
		cli->dir = session_default_dir();
	cli_catch_signals();
	ret = cmd->exec(cli, argc, argv);
	/* A command that failed said why: closing it says nothing more. */
	if (ret != CLI_OK && cli->s.st != NULL) {
		store_close(cli->s.st);
		cli->s.st = NULL;
	}
	cli_close(cli);
	cfg_free();
	cli_reraise();
	return ret;
}
