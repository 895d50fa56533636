/* vault: the key that encrypts a local at rest. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <limits.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault.h"
#include "cfg.h"
#include "error.h"
#include "xmalloc.h"

/*
 * DIR/crm.key is a few lines of text, so that an administrator can see
 * what it is and with what limits it was made:
 *
 *	crm-key 1
 *	id HEX				16 random bytes: the keyring's name for it
 *	argon2id OPS MEMKIB
 *	salt HEX			crypto_pwhash_SALTBYTES
 *	nonce HEX			XChaCha20-Poly1305's
 *	sealed HEX			the data key and its tag
 *
 * Everything above "nonce" is the seal's additional data: changing the
 * limits or the id breaks the seal as a wrong password does.
 */
#define VAULT_ID_SIZE	16
#define VAULT_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VAULT_SEALED	(VAULT_KEY_SIZE + \
			    crypto_aead_xchacha20poly1305_ietf_ABYTES)

struct vault_file {
	uint8_t			id[VAULT_ID_SIZE];
	unsigned long long	ops;
	size_t			mem_kib;
	uint8_t			salt[crypto_pwhash_SALTBYTES];
	uint8_t			nonce[VAULT_NONCE];
	uint8_t			sealed[VAULT_SEALED];
};

static int
vault_ready(void)
{
	if (sodium_init() < 0) {
		error_set("libsodium could not start (no source of random "
		    "numbers?): nothing was encrypted or decrypted");
		return -1;
	}
	return 0;
}

int
vault_encrypted(const char *dir)
{
	char	*path;
	int	 ret;

	xasprintf(&path, "%s/%s", dir, VAULT_KEY_FILE);
	ret = access(path, F_OK) == 0;
	free(path);
	return ret;
}

void
vault_limits(unsigned long long *ops, size_t *mem_kib)
{
#ifdef CRM_FAULT_INJECTION
	/* The suites make hundreds of locals and log in thousands of times. */
	*ops = crypto_pwhash_OPSLIMIT_MIN;
	*mem_kib = crypto_pwhash_MEMLIMIT_MIN / 1024;
#else
	/*
	 * 3 passes over 48 MiB, paid once per unlock (the keyring spares the
	 * rest). libsodium's "interactive" limits, 2 passes over 64 MiB,
	 * took a login to 70.7 MiB at its peak (bench/encrypt.sh: crm
	 * itself is 6.5 MiB then), over crm's 64 MiB budget; 48 MiB keeps
	 * it near 55, and the third pass keeps the work per guess near what
	 * it was (144 MiB-passes against 128), above RFC 9106's and OWASP's
	 * lower recommendations (46 MiB, 1 pass). Key files made with other
	 * limits keep theirs: they are read from the file.
	 */
	*ops = 3;
	*mem_kib = 48 * 1024;
#endif
}

static void
vault_hex(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	sodium_bin2hex(out, outlen, p, len);
}

/* The text the seal authenticates: every line before "nonce". */
static char *
vault_header(const struct vault_file *kf)
{
	char	id[2 * VAULT_ID_SIZE + 1], salt[2 * sizeof kf->salt + 1];
	char	*text;

	vault_hex(kf->id, sizeof kf->id, id, sizeof id);
	vault_hex(kf->salt, sizeof kf->salt, salt, sizeof salt);
	xasprintf(&text, "crm-key 1\nid %s\nargon2id %llu %zu\nsalt %s\n", id,
	    kf->ops, kf->mem_kib, salt);
	return text;
}

/* The key that seals the data key, from the password. */
static int
vault_derive(const struct vault_file *kf, const char *password,
    uint8_t kek[VAULT_KEY_SIZE])
{
	if (kf->ops < crypto_pwhash_OPSLIMIT_MIN ||
	    kf->ops > crypto_pwhash_OPSLIMIT_MAX ||
	    kf->mem_kib < crypto_pwhash_MEMLIMIT_MIN / 1024 ||
	    kf->mem_kib > SIZE_MAX / 1024) {
		error_set("the key file's Argon2id limits (%llu passes, %zu "
		    "KiB) are out of range: the key file is damaged", kf->ops,
		    kf->mem_kib);
		return -1;
	}
	if (crypto_pwhash(kek, VAULT_KEY_SIZE, password, strlen(password),
	    kf->salt, kf->ops, kf->mem_kib * 1024,
	    crypto_pwhash_ALG_ARGON2ID13) != 0) {
		error_set("not enough memory to derive the key from the "
		    "password (Argon2id wants %zu KiB): close other programs "
		    "and try again", kf->mem_kib);
		return -1;
	}
	return 0;
}

/* Seal key under password into kf (a new salt and nonce each time). */
static int
vault_seal(struct vault_file *kf, const char *password,
    const uint8_t key[VAULT_KEY_SIZE])
{
	uint8_t		 kek[VAULT_KEY_SIZE];
	char		*ad;

	randombytes_buf(kf->salt, sizeof kf->salt);
	randombytes_buf(kf->nonce, sizeof kf->nonce);
	if (vault_derive(kf, password, kek) != 0)
		return -1;
	ad = vault_header(kf);
	crypto_aead_xchacha20poly1305_ietf_encrypt(kf->sealed, NULL, key,
	    VAULT_KEY_SIZE, (const uint8_t *)ad, strlen(ad), NULL, kf->nonce,
	    kek);
	free(ad);
	sodium_memzero(kek, sizeof kek);
	return 0;
}

/* Read a "name HEX" line of exactly len bytes. */
static int
vault_read_hex(const char *line, const char *name, uint8_t *out, size_t len)
{
	size_t		 n = strlen(name), got;
	const char	*end;

	if (strncmp(line, name, n) != 0 || line[n] != ' ')
		return -1;
	if (sodium_hex2bin(out, len, line + n + 1, strlen(line + n + 1), NULL,
	    &got, &end) != 0 || got != len || *end != '\0')
		return -1;
	return 0;
}

static int
vault_read(const char *dir, struct vault_file *kf)
{
	FILE	*f;
	char	*path, line[6][256];
	int	 i, ok = 1;

	memset(kf, 0, sizeof *kf);
	xasprintf(&path, "%s/%s", dir, VAULT_KEY_FILE);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			error_set("%s is missing: without it %s cannot be "
			    "opened; if it is lost, make a new local with crm "
			    "init --local and sync", path, dir);
		else
			error_set("cannot read %s: %s", path,
			    strerror(errno));
		free(path);
		return -1;
	}
	for (i = 0; i < 6 && ok; i++) {
		if (fgets(line[i], sizeof line[i], f) == NULL)
			ok = 0;
		else
			line[i][strcspn(line[i], "\n")] = '\0';
	}
	fclose(f);
	if (ok && (strcmp(line[0], "crm-key 1") != 0 ||
	    vault_read_hex(line[1], "id", kf->id, sizeof kf->id) != 0 ||
	    sscanf(line[2], "argon2id %llu %zu", &kf->ops, &kf->mem_kib) != 2 ||
	    vault_read_hex(line[3], "salt", kf->salt, sizeof kf->salt) != 0 ||
	    vault_read_hex(line[4], "nonce", kf->nonce, sizeof kf->nonce) != 0 ||
	    vault_read_hex(line[5], "sealed", kf->sealed,
	    sizeof kf->sealed) != 0))
		ok = 0;
	if (!ok) {
		error_set("%s is damaged: %s cannot be opened without it; "
		    "make a new local with crm init --local and sync", path,
		    dir);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* Write the key file whole or not at all. */
static int
vault_write(const char *dir, const struct vault_file *kf)
{
	char	*path, *tmp, *head, *text;
	char	 nonce[2 * VAULT_NONCE + 1], sealed[2 * VAULT_SEALED + 1];
	size_t	 len;
	int	 fd, ret = -1;

	head = vault_header(kf);
	vault_hex(kf->nonce, sizeof kf->nonce, nonce, sizeof nonce);
	vault_hex(kf->sealed, sizeof kf->sealed, sealed, sizeof sealed);
	xasprintf(&text, "%snonce %s\nsealed %s\n", head, nonce, sealed);
	free(head);
	len = strlen(text);
	xasprintf(&path, "%s/%s", dir, VAULT_KEY_FILE);
	xasprintf(&tmp, "%s/%s.new", dir, VAULT_KEY_FILE);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		error_set("cannot write %s: %s: free some space and try "
		    "again; the key file is as it was", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		error_set("cannot replace %s: %s; the key file is as it was",
		    path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* The rename itself reaches the disk before anyone relies on it. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
	ret = 0;
out:
	sodium_memzero(text, len);
	free(text);
	free(tmp);
	free(path);
	return ret;
}

int
vault_key_create(const char *dir, const char *password,
    unsigned long long ops, size_t mem_kib, uint8_t key[VAULT_KEY_SIZE])
{
	struct vault_file	kf;

	if (vault_ready() != 0)
		return -1;
	if (vault_encrypted(dir)) {
		error_set("%s/%s exists already: %s has its key", dir,
		    VAULT_KEY_FILE, dir);
		return -1;
	}
	memset(&kf, 0, sizeof kf);
	vault_limits(&kf.ops, &kf.mem_kib);
	if (ops != 0)
		kf.ops = ops;
	if (mem_kib != 0)
		kf.mem_kib = mem_kib;
	randombytes_buf(kf.id, sizeof kf.id);
	randombytes_buf(key, VAULT_KEY_SIZE);
	if (vault_seal(&kf, password, key) != 0 || vault_write(dir, &kf) != 0) {
		sodium_memzero(key, VAULT_KEY_SIZE);
		return -1;
	}
	return 0;
}

/* Open kf's seal with password. */
static int
vault_open(const struct vault_file *kf, const char *login,
    const char *password, uint8_t key[VAULT_KEY_SIZE])
{
	uint8_t	 kek[VAULT_KEY_SIZE];
	char	*ad;
	int	 ret;

	if (vault_derive(kf, password, kek) != 0)
		return -1;
	ad = vault_header(kf);
	ret = crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
	    kf->sealed, sizeof kf->sealed, (const uint8_t *)ad, strlen(ad),
	    kf->nonce, kek);
	free(ad);
	sodium_memzero(kek, sizeof kek);
	if (ret != 0) {
		sodium_memzero(key, VAULT_KEY_SIZE);
		/* The same words as a wrong password anywhere else. */
		error_set("login refused for %s: wrong login or password",
		    login);
		return -1;
	}
	return 0;
}

int
vault_key_unlock(const char *dir, const char *login, const char *password,
    uint8_t key[VAULT_KEY_SIZE])
{
	struct vault_file	kf;

	memset(key, 0, VAULT_KEY_SIZE);
	if (vault_ready() != 0 || vault_read(dir, &kf) != 0)
		return -1;
	return vault_open(&kf, login, password, key);
}

int
vault_key_rewrap(const char *dir, const char *login, const char *old_password,
    const char *new_password)
{
	struct vault_file	kf;
	uint8_t			key[VAULT_KEY_SIZE];
	int			ret;

	if (vault_ready() != 0 || vault_read(dir, &kf) != 0)
		return -1;
	if (vault_open(&kf, login, old_password, key) != 0)
		return -1;
	/* The limits of today's build, not those the file was made with. */
	vault_limits(&kf.ops, &kf.mem_kib);
	ret = vault_seal(&kf, new_password, key);
	if (ret == 0)
		ret = vault_write(dir, &kf);
	sodium_memzero(key, sizeof key);
	return ret;
}

void
vault_key_text(const uint8_t key[VAULT_KEY_SIZE], char text[VAULT_KEY_TEXT])
{
	vault_hex(key, VAULT_KEY_SIZE, text, VAULT_KEY_TEXT);
}

/*
 * The keyring's name for dir's key: "crm:" and the key file's id, so
 * that a local made again at the same path is not opened with the old
 * one's key. NULL if the key file cannot be read.
 */
static char *
vault_keyring_name(const char *dir)
{
	struct vault_file	 kf;
	char			 id[2 * VAULT_ID_SIZE + 1], *name;

	if (vault_read(dir, &kf) != 0) {
		error_clear();
		return NULL;
	}
	vault_hex(kf.id, sizeof kf.id, id, sizeof id);
	xasprintf(&name, "crm:%s", id);
	return name;
}

/*
 * The keyring to keep a key in: the login's session keyring (pam_keyinit
 * gives each login one, which its processes inherit). A process started
 * with none (a container's shell, some ssh set-ups) would be given a new
 * one of its own by add_key, gone when it exits: it keeps the key in the
 * user's keyring instead, which the session keyring it then has, the
 * user's default one, links to, so that later commands find it there.
 */
static key_serial_t
vault_keyring(void)
{
	key_serial_t	session, user_session;

	session = keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0);
	user_session = keyctl_get_keyring_ID(KEY_SPEC_USER_SESSION_KEYRING, 0);
	if (session == -1 || session == user_session)
		return KEY_SPEC_USER_KEYRING;
	return KEY_SPEC_SESSION_KEYRING;
}

int
vault_keyring_find(const char *dir, uint8_t key[VAULT_KEY_SIZE])
{
	key_serial_t	 k;
	char		*name;
	long		 n;

	if ((name = vault_keyring_name(dir)) == NULL)
		return 1;
	/* A search, not request_key: nothing is asked of user space. */
	k = keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", name, 0);
	free(name);
	if (k == -1)
		return 1;
	n = keyctl_read(k, (char *)key, VAULT_KEY_SIZE);
	if (n != VAULT_KEY_SIZE) {
		sodium_memzero(key, VAULT_KEY_SIZE);
		return 1;
	}
	return 0;
}

void
vault_keyring_keep(const char *dir, const uint8_t key[VAULT_KEY_SIZE],
    unsigned minutes)
{
	key_serial_t	 k;
	char		*name;

	if (minutes == 0 || (name = vault_keyring_name(dir)) == NULL)
		return;
	k = add_key("user", name, key, VAULT_KEY_SIZE, vault_keyring());
	free(name);
	if (k == -1)
		return;
	/*
	 * Only this user may read it (a key is made possessor- and
	 * user-readable): root aside, no other account of the laptop.
	 */
	keyctl_setperm(k, KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ |
	    KEY_USR_WRITE | KEY_USR_SEARCH | KEY_USR_LINK | KEY_USR_SETATTR);
	keyctl_set_timeout(k, minutes * 60);
}

int
vault_keyring_forget(const char *dir)
{
	key_serial_t	 k;
	char		*name;
	int		 found = 0;

	if ((name = vault_keyring_name(dir)) == NULL)
		return 1;
	/* Every copy, in the session's keyring and the user's. */
	while ((k = keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", name,
	    0)) != -1) {
		if (keyctl_revoke(k) != 0)
			break;
		keyctl_unlink(k, KEY_SPEC_SESSION_KEYRING);
		keyctl_unlink(k, KEY_SPEC_USER_KEYRING);
		found = 1;
	}
	free(name);
	return found ? 0 : 1;
}

/*
 * An encrypted master's key file (include/vault.h). The check is the
 * master's ID hashed under the key: it tells a damaged file, or another
 * master's, from a damaged database before Berkeley DB reads a page.
 */
#define VAULT_CHECK_SIZE	16

static void
vault_master_check(const char *master_id, const uint8_t key[VAULT_KEY_SIZE],
    uint8_t check[VAULT_CHECK_SIZE])
{
	crypto_generichash(check, VAULT_CHECK_SIZE,
	    (const uint8_t *)master_id, strlen(master_id), key,
	    VAULT_KEY_SIZE);
}

/* The key file's path: db.key_file, relative to dir or absolute. */
static char *
vault_master_path(const char *dir, const char *name)
{
	char	*path;

	if (*name == '/')
		return xstrdup(name);
	xasprintf(&path, "%s/%s", dir, name);
	return path;
}

int
vault_master_create(const char *dir, const char *name, const char *master_id,
    uint8_t key[VAULT_KEY_SIZE])
{
	uint8_t	 check[VAULT_CHECK_SIZE];
	char	 hex[VAULT_KEY_TEXT], chex[2 * VAULT_CHECK_SIZE + 1];
	char	*path, *tmp, *text;
	size_t	 len;
	int	 fd, ret = -1;

	if (vault_ready() != 0)
		return -1;
	path = vault_master_path(dir, name);
	if (access(path, F_OK) == 0) {
		error_set("%s exists already: a new master gets a new key; "
		    "give another --key-file, or move that one away", path);
		free(path);
		return -1;
	}
	randombytes_buf(key, VAULT_KEY_SIZE);
	vault_master_check(master_id, key, check);
	vault_hex(key, VAULT_KEY_SIZE, hex, sizeof hex);
	vault_hex(check, sizeof check, chex, sizeof chex);
	xasprintf(&text, "crm-master-key 1\nmaster %s\nkey %s\ncheck %s\n",
	    master_id, hex, chex);
	sodium_memzero(hex, sizeof hex);
	len = strlen(text);
	xasprintf(&tmp, "%s.new", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0) {
		error_set("cannot write the master's key file %s: %s", tmp,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	/* A link, not a rename: a key file made meanwhile is never replaced. */
	if (link(tmp, path) != 0) {
		error_set("cannot make the master's key file %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	ret = 0;
out:
	if (ret != 0)
		sodium_memzero(key, VAULT_KEY_SIZE);
	sodium_memzero(text, len);
	free(text);
	free(tmp);
	free(path);
	return ret;
}

/* db.key_file of the master in dir: 1 and *name, 0 (plain), or -1. */
static int
vault_master_name(const char *dir, char **name)
{
	if (cfg_peek(dir, "db.key_file", name) == -1)
		return -1;
	if (**name == '\0') {
		free(*name);
		*name = NULL;
		return 0;
	}
	return 1;
}

int
vault_master_encrypted(const char *dir)
{
	char	*name;
	int	 ret;

	if ((ret = vault_master_name(dir, &name)) == -1) {
		error_clear();
		return 0;
	}
	free(name);
	return ret;
}

/* Why this process cannot read path: who it runs as. */
static const char *
vault_whoami(void)
{
	struct passwd	*pw;

	if ((pw = getpwuid(geteuid())) != NULL)
		return pw->pw_name;
	return "this account";
}

static int
vault_master_open(const char *dir, const char *path)
{
	struct stat	sb;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			error_set("%s is encrypted and its key file %s is "
			    "missing: on the master's host, put the key file "
			    "back from where it is kept (or name it in "
			    "db.key_file of %s/crm.conf); from a laptop, sync "
			    "through crm serve over ssh (a local bound to "
			    "HOST:%s), which never needs the key", dir, path,
			    dir, dir);
		else if (errno == EACCES || errno == EPERM)
			error_set("%s is encrypted and %s cannot read its key "
			    "file %s: sync through crm serve over ssh (a local "
			    "bound to HOST:%s) rather than attaching it, or "
			    "run this on the master's host as the account "
			    "that owns the key", dir, vault_whoami(), path,
			    dir);
		else
			error_set("cannot read %s, the key file of the "
			    "encrypted master %s: %s", path, dir,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		error_set("%s, the key file of the encrypted master %s, is not "
		    "a regular file: put the key file itself there", path,
		    dir);
		close(fd);
		return -1;
	}
	/* As ssh refuses a private key others may read. */
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		error_set("%s, the key file of the encrypted master %s, is "
		    "open to others than its owner (mode %04o): whoever reads "
		    "it reads the master; make it private with chmod 600 %s "
		    "and run the command again", path, dir,
		    (unsigned)(sb.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	return fd;
}

int
vault_master_key(const char *dir, uint8_t key[VAULT_KEY_SIZE])
{
	FILE	*f;
	uint8_t	 check[VAULT_CHECK_SIZE], want[VAULT_CHECK_SIZE];
	char	*name, *path, *id = NULL, line[4][256];
	int	 fd, i, ok = 1, ret = -1;

	memset(key, 0, VAULT_KEY_SIZE);
	if ((ret = vault_master_name(dir, &name)) == -1)
		return -1;
	if (ret == 0)
		return 1;
	ret = -1;
	if (vault_ready() != 0) {
		free(name);
		return -1;
	}
	path = vault_master_path(dir, name);
	free(name);
	if ((fd = vault_master_open(dir, path)) == -1) {
		free(path);
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		error_set("cannot read %s: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	for (i = 0; i < 4 && ok; i++) {
		if (fgets(line[i], sizeof line[i], f) == NULL)
			ok = 0;
		else
			line[i][strcspn(line[i], "\n")] = '\0';
	}
	fclose(f);
	if (ok && (strcmp(line[0], "crm-master-key 1") != 0 ||
	    strncmp(line[1], "master ", 7) != 0 ||
	    vault_read_hex(line[2], "key", key, VAULT_KEY_SIZE) != 0 ||
	    vault_read_hex(line[3], "check", check, sizeof check) != 0))
		ok = 0;
	if (ok) {
		vault_master_check(line[1] + 7, key, want);
		ok = sodium_memcmp(check, want, sizeof check) == 0;
	}
	if (!ok) {
		error_set("%s, the key file of the encrypted master %s, is "
		    "damaged: put back the copy kept when the master was made; "
		    "without it the master cannot be opened", path, dir);
		goto out;
	}
	if (cfg_peek(dir, "db.id", &id) == -1)
		goto out;
	if (*id != '\0' && strcmp(id, line[1] + 7) != 0) {
		error_set("%s is the key of another master (%s), not of %s "
		    "(%s): put this master's key file there, or name it in "
		    "db.key_file of %s/crm.conf", path, line[1] + 7, dir, id,
		    dir);
		goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		sodium_memzero(key, VAULT_KEY_SIZE);
	sodium_memzero(line, sizeof line);
	free(id);
	free(path);
	return ret;
}
