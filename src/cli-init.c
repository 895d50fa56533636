/* cli-init: create a master, or a local bound to a master. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>

#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "model.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "vault.h"
#include "xmalloc.h"

static int
cli_init_conf(const char *dir, const char *const *kv)
{
	for (; kv[0] != NULL; kv += 2) {
		if (cfg_set(dir, kv[0], kv[1]) != 0)
			return -1;
	}
	return 0;
}

/* The account that runs this: the owner of what it makes. */
static const char *
cli_init_owner(void)
{
	struct passwd	*pw;

	if ((pw = getpwuid(geteuid())) != NULL)
		return pw->pw_name;
	return "this account";
}

/*
 * Where an encrypted master's key file goes: DIR/master.key, or a file
 * given, named absolutely in the master's crm.conf (a key kept on
 * another disk stays where it is whatever the working directory).
 */
static char *
cli_init_key_file(const char *key_file)
{
	char		*copy, *slash, *parent, *abs, *path;
	const char	*base;

	if (key_file == NULL)
		return xstrdup(VAULT_MASTER_KEY_FILE);
	copy = xstrdup(key_file);
	if ((slash = strrchr(copy, '/')) == NULL) {
		parent = xstrdup(".");
		base = key_file;
	} else {
		*slash = '\0';
		parent = xstrdup(*copy == '\0' ? "/" : copy);
		base = slash + 1;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		error_set("--key-file %s names no file: give the path of the "
		    "key file to make", key_file);
		path = NULL;
	} else if ((abs = realpath(parent, NULL)) == NULL) {
		error_set("cannot make the key file %s: %s: %s (make the "
		    "directory first)", key_file, parent, strerror(errno));
		path = NULL;
	} else {
		xasprintf(&path, "%s%s%s", abs, strcmp(abs, "/") == 0 ? "" :
		    "/", base);
		free(abs);
	}
	free(parent);
	free(copy);
	return path;
}

static int
cli_init_master(struct cli *cli, const char *dir, const char *admin,
    const char *uid, const char *name, int encrypt, const char *key_file)
{
	char	*pw, *kf = NULL;
	int	 ret;

	if (!user_uid_valid(uid)) {
		error_set("\"%s\" is not a user ID: a user ID is exactly 5 "
		    "letters or digits", uid);
		return -1;
	}
	if (encrypt && (kf = cli_init_key_file(key_file)) == NULL)
		return -1;
	if ((pw = cli_password(cli, "Password for the administrator: ",
	    1)) == NULL) {
		free(kf);
		return -1;
	}
	ret = session_create_master(dir, name != NULL ? name : dir, admin, uid,
	    admin, pw, kf);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (ret != 0) {
		free(kf);
		return -1;
	}
	printf("created the master %s with administrator %s (%s)\n", dir,
	    admin, uid);
	if (kf != NULL) {
		printf("encrypted: its key is %s%s%s, readable by %s alone; "
		    "keep a copy of it apart from the master's backups\n",
		    *kf == '/' ? "" : dir, *kf == '/' ? "" : "/", kf,
		    cli_init_owner());
	}
	free(kf);
	return 0;
}

/*
 * A local bound to master (a directory, HOST:/PATH or ssh://...): the
 * master checks the login (RULES.md T1) and says its ID and name, and the
 * user's own record, the only one a new local holds.
 */
/*
 * The key of a new local: made in dir before its files, which
 * are then made encrypted. 0, or 1 (error set) when it could not be.
 */
static int
cli_init_key(const char *dir, const char *password)
{
	uint8_t	 key[VAULT_KEY_SIZE];
	char	*path;

	if (store_dir_fresh(dir) != 0)
		return 1;
	/* A key with no database beside it is an init cut off: made again. */
	xasprintf(&path, "%s/%s", dir, VAULT_KEY_FILE);
	unlink(path);
	free(path);
	if (vault_key_create(dir, password, 0, 0, key) != 0)
		return 1;
	store_set_key_bytes(dir, key);
	explicit_bzero(key, sizeof key);
	return 0;
}

/*
 * Whether the new local is to be plain, as locals made before encryption
 * are: only a test build makes one, when CRM_FAULT_PLAIN_LOCAL is set,
 * so that the tests of crm encrypt have a local to convert. An installed
 * crm makes every local encrypted.
 */
static int
cli_init_plain(void)
{
#ifdef CRM_FAULT_INJECTION
	const char	*env = getenv("CRM_FAULT_PLAIN_LOCAL");

	return env != NULL && *env != '\0' && strcmp(env, "0") != 0;
#else
	return 0;
#endif
}

static int
cli_init_local(struct cli *cli, const char *dir, const char *master)
{
	struct store		*st;
	struct store_txn	*t;
	struct sync_hello	 h;
	char			*pw, *where;
	int			 ret;
	const char		*kv[11];

	if (cli->login == NULL) {
		error_set("whose local is this? give -u LOGIN or set CRM_USER");
		return -1;
	}
	if (sync_where_remote(master))
		where = xstrdup(master);
	else if ((where = realpath(master, NULL)) == NULL) {
		error_set("cannot reach the master %s: check that it is "
		    "mounted and the path is right", master);
		return -1;
	}
	if ((pw = cli_password(cli, "Password: ", 0)) == NULL) {
		free(where);
		return -1;
	}
	ret = sync_hello(where, cli->login, pw,
	    (int)cfg_int("master.wait_seconds"), &h);
	/* Every new local is encrypted, under the password just checked. */
	if (ret == 0 && !cli_init_plain())
		ret = cli_init_key(dir, pw);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (ret != 0) {
		if (ret == 1)
			sync_hello_free(&h);
		free(where);
		return -1;
	}
	if (model_create(dir, STORE_LOCAL) != 0)
		goto fail;
	kv[0] = "db.role"; kv[1] = "local";
	kv[2] = "db.name"; kv[3] = h.master_name;
	kv[4] = "db.id"; kv[5] = h.master_id;
	kv[6] = "db.master"; kv[7] = where;
	kv[8] = "db.user"; kv[9] = cli->login;
	kv[10] = NULL;
	if (cli_init_conf(dir, kv) != 0 ||
	    (st = model_open(dir, STORE_LOCAL, 0, 0)) == NULL)
		goto fail;
	/* The local holds its own user's record, and no one else's hash. */
	if (store_begin(st, &t) != 0)
		goto fail_open;
	store_observe(t, h.user->modified);
	if (store_meta_put(t, "master_id", h.master_id,
	    strlen(h.master_id)) != 0 ||
	    store_put(t, MODEL_USER, h.user, STORE_PUT_SYNCED |
	    STORE_PUT_KEEPSEQ) != 0) {
		store_abort(t);
		goto fail_open;
	}
	if (store_commit(t) != 0)
		goto fail_open;
	if (store_close(st) != 0)
		goto fail;
	printf("created the local %s for %s, bound to the master %s\n", dir,
	    cli->login, where);
	sync_hello_free(&h);
	free(where);
	return 0;

fail_open:
	store_close(st);
fail:
	sync_hello_free(&h);
	free(where);
	return -1;
}

int
cli_init(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "master", required_argument, NULL, 'm' },
		{ "local", required_argument, NULL, 'l' },
		{ "admin", required_argument, NULL, 'a' },
		{ "admin-id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "encrypt", no_argument, NULL, 'e' },
		{ "key-file", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("init");
	const char			*master = NULL, *local = NULL;
	const char			*admin = NULL, *uid = NULL, *name = NULL;
	const char			*key_file = NULL;
	int				 ch, ret, encrypt = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': master = optarg; break;
		case 'l': local = optarg; break;
		case 'a': admin = optarg; break;
		case 'i': uid = optarg; break;
		case 'n': name = optarg; break;
		case 'e': encrypt = 1; break;
		case 'k': key_file = optarg; break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"",
		    argv[optind]);
	if (local != NULL) {
		if (master == NULL)
			return cli_usage(cmd, "--local needs --master MASTER "
			    "(a directory, HOST:/PATH or ssh://HOST/PATH)");
		if (admin != NULL || uid != NULL)
			return cli_usage(cmd, "--admin and --admin-id are for "
			    "a master");
		if (encrypt || key_file != NULL)
			return cli_usage(cmd, "--encrypt and --key-file are "
			    "for a master: every local is encrypted");
		ret = cli_init_local(cli, local, master);
	} else {
		if (master == NULL)
			return cli_usage(cmd, "give --master DIR or --local "
			    "DIR");
		if (admin == NULL || uid == NULL)
			return cli_usage(cmd, "a master needs --admin LOGIN "
			    "and --admin-id UID");
		if (key_file != NULL && !encrypt)
			return cli_usage(cmd, "--key-file goes with --encrypt");
		ret = cli_init_master(cli, master, admin, uid, name, encrypt,
		    key_file);
	}
	return ret == 0 ? CLI_OK : cli_fail();
}

static void
cli_verify_report(const char *what, void *arg)
{
	(void)arg;
	printf("%s\n", what);
}

int
cli_verify(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("verify");
	struct store		*st;
	enum store_role		 role;
	uint8_t			 key[VAULT_KEY_SIZE];
	int			 n, wait;

	if (argc != 1)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[1]);
	if (session_role(cli->dir, &role) != 0)
		return cli_fail();
	cli_notice();
	/* An encrypted local is read with its key: its user's password. */
	if (role == STORE_LOCAL && vault_encrypted(cli->dir)) {
		if (cli->login == NULL && *cfg_string("db.user") != '\0')
			cli->login = cfg_string("db.user");
		if (cli->login == NULL) {
			error_set("who is working? give -u LOGIN or set "
			    "CRM_USER");
			return cli_fail();
		}
		if (cli_open_key(cli) != 0)
			return cli_fail();
	}
	/*
	 * An encrypted master with its key file, read here rather than by
	 * the open below: without it every file would be called damaged.
	 */
	if (role == STORE_MASTER && vault_master_encrypted(cli->dir)) {
		if (vault_master_key(cli->dir, key) != 0)
			return cli_fail();
		store_set_key_bytes(cli->dir, key);
		explicit_bzero(key, sizeof key);
	}
	wait = (int)cfg_int("master.wait_seconds");
	/*
	 * Opened and closed first: what a crm that was stopped left under
	 * way is recovered, and the files are written out, so that what is
	 * read next is what they hold. If it cannot be, the files say why.
	 */
	if ((st = model_open(cli->dir, role, 0, wait)) != NULL)
		store_close(st);
	error_clear();
	if ((n = store_verify(cli->dir, role, wait, cli_verify_report,
	    NULL)) == -1)
		return cli_fail();
	if (n > 0) {
		error_set("%s has %d damaged file%s: %s", cli->dir, n,
		    n == 1 ? "" : "s", role == STORE_MASTER ? "restore the "
		    "master from a backup" : "make the local again from its "
		    "master (crm init --local in a new directory, then crm "
		    "sync there)");
		return cli_fail();
	}
	printf("%s: every file and the log read back whole\n", cli->dir);
	return CLI_OK;
}
