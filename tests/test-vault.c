/*
 * test-vault: the key file that locks a local: a data key
 * made once, sealed under the password with Argon2id; a wrong password
 * or a tampered file opens nothing; a password change seals the same
 * key again; the session keyring keeps and forgets it.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "unit.h"
#include "vault.h"
#include "xmalloc.h"

/* A key file with the lowest limits: the tests are about the seal. */
static void
make(const char *dir, const char *password, uint8_t key[VAULT_KEY_SIZE])
{
	mkdir(dir, 0700);
	CU_ASSERT_FATAL(vault_key_create(dir, password, 1, 8, key) == 0);
}

static void
test_vault_create_unlock(void)
{
	const char	*dir = unit_path("l");
	uint8_t		 key[VAULT_KEY_SIZE], again[VAULT_KEY_SIZE];
	uint8_t		 zero[VAULT_KEY_SIZE];
	char		*text;
	struct stat	 sb;

	CU_ASSERT(!vault_encrypted(dir));
	make(dir, "secret", key);
	CU_ASSERT(vault_encrypted(dir));
	memset(zero, 0, sizeof zero);
	CU_ASSERT(memcmp(key, zero, sizeof key) != 0);
	CU_ASSERT(vault_key_unlock(dir, "anna", "secret", again) == 0);
	CU_ASSERT(memcmp(key, again, sizeof key) == 0);

	/* 0600, written whole: no temporary file is left. */
	{
		char	buf[4096];

		snprintf(buf, sizeof buf, "%s/crm.key", dir);
		CU_ASSERT_FATAL(stat(buf, &sb) == 0);
		CU_ASSERT((sb.st_mode & 0777) == 0600);
		snprintf(buf, sizeof buf, "%s/crm.key.new", dir);
		CU_ASSERT(access(buf, F_OK) != 0);
		snprintf(buf, sizeof buf, "%s/crm.key", dir);
		text = unit_slurp(buf);
	}
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT(strncmp(text, "crm-key 1\nid ", 13) == 0);
	CU_ASSERT(strstr(text, "\nargon2id 1 8\n") != NULL);
	/* Neither the password nor the key in the clear. */
	CU_ASSERT(strstr(text, "secret") == NULL);
	free(text);

	/* A second key file is refused: the data key is made once. */
	CU_ASSERT(vault_key_create(dir, "other", 1, 8, again) == -1);
	CU_ASSERT(unit_error_has("exists already"));
}

static void
test_vault_wrong_password(void)
{
	const char	*dir = unit_path("l");
	uint8_t		 key[VAULT_KEY_SIZE], got[VAULT_KEY_SIZE];
	uint8_t		 zero[VAULT_KEY_SIZE];

	make(dir, "secret", key);
	memset(got, 0xff, sizeof got);
	CU_ASSERT(vault_key_unlock(dir, "anna", "Secret", got) == -1);
	CU_ASSERT(unit_error_has("login refused for anna: wrong login or "
	    "password"));
	/* Nothing of the key comes out of a failed unlock. */
	memset(zero, 0, sizeof zero);
	CU_ASSERT(memcmp(got, zero, sizeof got) == 0);
	CU_ASSERT(vault_key_unlock(dir, "anna", "", got) == -1);
}

/* Replace the first occurrence of from in dir's key file. */
static void
tamper(const char *dir, const char *from, const char *to)
{
	char	 path[4096], *text, *at, *out;

	snprintf(path, sizeof path, "%s/crm.key", dir);
	text = unit_slurp(path);
	CU_ASSERT_FATAL(text != NULL);
	at = strstr(text, from);
	CU_ASSERT_FATAL(at != NULL);
	out = calloc(1, strlen(text) + strlen(to) + 1);
	memcpy(out, text, (size_t)(at - text));
	strcat(out, to);
	strcat(out, at + strlen(from));
	unit_put(path, out);
	free(out);
	free(text);
}

static void
test_vault_tampered(void)
{
	char		 dir[4000], path[4096];
	uint8_t		 key[VAULT_KEY_SIZE], got[VAULT_KEY_SIZE];

	snprintf(dir, sizeof dir, "%s", unit_path("l"));
	snprintf(path, sizeof path, "%s/crm.key", dir);

	/* Cheaper limits written in: the seal no longer opens. */
	make(dir, "secret", key);
	tamper(dir, "argon2id 1 8", "argon2id 1 9");
	CU_ASSERT(vault_key_unlock(dir, "anna", "secret", got) == -1);
	CU_ASSERT(unit_error_has("wrong login or password"));

	/* A file that is not a key file names itself. */
	unlink(path);
	unit_put(path, "crm-key 1\nid zz\n");
	CU_ASSERT(vault_key_unlock(dir, "anna", "secret", got) == -1);
	CU_ASSERT(unit_error_has("crm.key is damaged"));

	/* Out-of-range limits are refused before any derivation. */
	unlink(path);
	make(dir, "secret", key);
	tamper(dir, "argon2id 1 8", "argon2id 0 8");
	CU_ASSERT(vault_key_unlock(dir, "anna", "secret", got) == -1);
	CU_ASSERT(unit_error_has("out of range"));

	unlink(path);
	CU_ASSERT(vault_key_unlock(dir, "anna", "secret", got) == -1);
	CU_ASSERT(unit_error_has("is missing"));
	CU_ASSERT(unit_error_has("crm init --local"));
}

static void
test_vault_rewrap(void)
{
	const char	*dir = unit_path("l");
	uint8_t		 key[VAULT_KEY_SIZE], got[VAULT_KEY_SIZE];
	char		 path[4096], *before, *after;

	make(dir, "old-secret", key);
	snprintf(path, sizeof path, "%s/crm.key", dir);
	before = unit_slurp(path);

	/* The old password must open it first. */
	CU_ASSERT(vault_key_rewrap(dir, "anna", "wrong", "new-secret") == -1);
	CU_ASSERT(unit_error_has("wrong login or password"));
	after = unit_slurp(path);
	CU_ASSERT(before != NULL && after != NULL &&
	    strcmp(before, after) == 0);
	free(after);

	CU_ASSERT(vault_key_rewrap(dir, "anna", "old-secret",
	    "new-secret") == 0);
	CU_ASSERT(vault_key_unlock(dir, "anna", "old-secret", got) == -1);
	CU_ASSERT(vault_key_unlock(dir, "anna", "new-secret", got) == 0);
	/* The same data key: the database needs no change. */
	CU_ASSERT(memcmp(key, got, sizeof key) == 0);
	/* The same id (the keyring's name), a new salt. */
	after = unit_slurp(path);
	CU_ASSERT_FATAL(after != NULL);
	CU_ASSERT(strncmp(before, after, strlen("crm-key 1\nid ") + 32) == 0);
	CU_ASSERT(strstr(after, strstr(before, "salt ")) == NULL);
	free(before);
	free(after);
}

static void
test_vault_key_text(void)
{
	uint8_t	key[VAULT_KEY_SIZE];
	char	text[VAULT_KEY_TEXT];
	size_t	i;

	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)i;
	vault_key_text(key, text);
	CU_ASSERT(strlen(text) == 2 * VAULT_KEY_SIZE);
	CU_ASSERT(strncmp(text, "000102", 6) == 0);
}

static void
test_vault_keyring(void)
{
	const char	*dir = unit_path("l");
	uint8_t		 key[VAULT_KEY_SIZE], got[VAULT_KEY_SIZE];

	make(dir, "secret", key);
	CU_ASSERT(vault_keyring_find(dir, got) == 1);
	vault_keyring_keep(dir, key, 1);
	/* A machine whose kernel keeps no keyring for us skips the rest. */
	if (vault_keyring_find(dir, got) != 0) {
		fprintf(stderr, "test-vault: no session keyring here, "
		    "keyring not tested\n");
		return;
	}
	CU_ASSERT(memcmp(key, got, sizeof key) == 0);
	CU_ASSERT(vault_keyring_forget(dir) == 0);
	CU_ASSERT(vault_keyring_find(dir, got) == 1);
	CU_ASSERT(vault_keyring_forget(dir) == 1);
	/* 0 minutes: never kept. */
	vault_keyring_keep(dir, key, 0);
	CU_ASSERT(vault_keyring_find(dir, got) == 1);
}

/* Whether any file of dir holds needle (a byte string). */
static int
dir_holds(const char *dir, const char *needle)
{
	char	cmd[8192];

	snprintf(cmd, sizeof cmd, "grep -rqa -- '%s' '%s'", needle, dir);
	return system(cmd) == 0;
}

/*
 * The store with a key: every file encrypted, no region file holding the
 * cache, and no opening without the key.
 */
static void
test_vault_store_encrypted(void)
{
	char			 dir[4000], text[VAULT_KEY_TEXT];
	uint8_t			 key[VAULT_KEY_SIZE];
	struct store		*st;
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;

	snprintf(dir, sizeof dir, "%s", unit_path("l"));
	make(dir, "secret", key);
	vault_key_text(key, text);
	store_set_key(dir, text);
	CU_ASSERT_FATAL(model_create(dir, STORE_LOCAL) == 0);
	st = model_open(dir, STORE_LOCAL, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	record_set(r, "name", "Xylophonica", 1);
	record_set(r, "email", "xylo@phonica.example", 1);
	id = r->id;
	CU_ASSERT(store_put(t, MODEL_COMPANY, r, 0) == 0);
	record_free(r);
	CU_ASSERT(store_commit(t) == 0);
	/* While it is open, too: the cache is not a file. */
	CU_ASSERT(!dir_holds(dir, "Xylophonica"));
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(!dir_holds(dir, "Xylophonica"));
	CU_ASSERT(!dir_holds(dir, "phonica.example"));

	/* Without its key it is refused, saying how it opens. */
	store_set_key(dir, NULL);
	CU_ASSERT(model_open(dir, STORE_LOCAL, 0, 5) == NULL);
	CU_ASSERT(unit_error_has("is encrypted"));
	/* With it, the record is there. */
	store_set_key(dir, text);
	st = model_open(dir, STORE_LOCAL, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_get(t, MODEL_COMPANY, &id, &r) == 0);
	CU_ASSERT(strcmp(record_value(r, "name"), "Xylophonica") == 0);
	record_free(r);
	store_abort(t);
	CU_ASSERT(store_close(st) == 0);
	store_set_key(dir, NULL);
}

/*
 * A master's key file: a plain master has none (1, and no key), an
 * encrypted one opens with its own, refused when others may read it or
 * when it is another master's; the store opens each as it is, and
 * exposes the encrypted one's key.
 */
static void
test_vault_master_key(void)
{
	char		 dir[4000], text[VAULT_KEY_TEXT], *conf;
	uint8_t		 key[VAULT_KEY_SIZE], got[VAULT_KEY_SIZE];
	struct store	*st;
	FILE		*f;

	snprintf(dir, sizeof dir, "%s", unit_path("m"));
	CU_ASSERT_FATAL(model_create(dir, STORE_MASTER) == 0);
	CU_ASSERT(vault_master_key(dir, got) == 1);
	CU_ASSERT(!vault_master_encrypted(dir));
	st = model_open(dir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT(store_key_of(dir) == NULL);
	CU_ASSERT(store_close(st) == 0);

	snprintf(dir, sizeof dir, "%s", unit_path("e"));
	CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
	CU_ASSERT_FATAL(vault_master_create(dir, VAULT_MASTER_KEY_FILE,
	    "01m96g3v9ncwsprtm07bkn60jj", key) == 0);
	CU_ASSERT(vault_master_create(dir, VAULT_MASTER_KEY_FILE,
	    "01m96g3v9ncwsprtm07bkn60jj", got) == -1);
	xasprintf(&conf, "%s/crm.conf", dir);
	f = fopen(conf, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "db = { role = \"master\"; key_file = \"%s\"; "
	    "id = \"01m96g3v9ncwsprtm07bkn60jj\"; };\n",
	    VAULT_MASTER_KEY_FILE);
	fclose(f);
	CU_ASSERT(vault_master_encrypted(dir));
	CU_ASSERT(vault_master_key(dir, got) == 0);
	CU_ASSERT(memcmp(key, got, sizeof key) == 0);
	vault_key_text(key, text);
	store_set_key(dir, text);
	CU_ASSERT_FATAL(model_create(dir, STORE_MASTER) == 0);
	store_set_key(dir, NULL);
	/* The store reads the key file itself, and says what it read. */
	st = model_open(dir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT(store_key_of(store_dir(st)) != NULL &&
	    strcmp(store_key_of(store_dir(st)), text) == 0);
	CU_ASSERT(store_close(st) == 0);
	store_set_key(dir, NULL);

	/* Another master's ID: named so. */
	f = fopen(conf, "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "db = { role = \"master\"; key_file = \"%s\"; "
	    "id = \"01m96g3v9ncwsprtm07bkn6zzz\"; };\n",
	    VAULT_MASTER_KEY_FILE);
	fclose(f);
	CU_ASSERT(vault_master_key(dir, got) == -1);
	CU_ASSERT(unit_error_has("the key of another master"));
	free(conf);
	xasprintf(&conf, "%s/%s", dir, VAULT_MASTER_KEY_FILE);
	CU_ASSERT(chmod(conf, 0604) == 0);
	CU_ASSERT(vault_master_key(dir, got) == -1);
	CU_ASSERT(unit_error_has("chmod 600"));
	free(conf);
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "vault_create_unlock", test_vault_create_unlock },
		{ "vault_wrong_password", test_vault_wrong_password },
		{ "vault_tampered", test_vault_tampered },
		{ "vault_rewrap", test_vault_rewrap },
		{ "vault_key_text", test_vault_key_text },
		{ "vault_keyring", test_vault_keyring },
		{ "vault_store_encrypted", test_vault_store_encrypted },
		{ "vault_master_key", test_vault_master_key },
		{ NULL, NULL }
	};

	return unit_run("vault", tests);
}
