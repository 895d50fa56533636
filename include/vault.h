/*
 * vault: the key that encrypts a local at rest.
 *
 * Every local is encrypted with a random data key of its own
 * (VAULT_KEY_SIZE bytes), made when the local is made and never changed.
 * What lies on disk is that key wrapped: DIR/crm.key holds it sealed
 * (XChaCha20-Poly1305) under a key derived from the user's password with
 * Argon2id, beside the salt and the limits the derivation used. A
 * password change seals the same data key again under the new password,
 * in a moment, and nothing else in the local changes; a wrong password
 * fails the seal's check before anything is decrypted; a forgotten
 * password cannot open the local at all (the master holds everything:
 * make a new local).
 *
 * Berkeley DB takes the data key as its encryption password
 * (vault_key_text), and the attached files and templates are sealed
 * with a key derived from it (libsodium's secretstream; seal.h).
 *
 * Once unlocked, the data key may be kept in the kernel's session keyring
 * for a time the user chooses (security.unlock_minutes): later commands
 * in the same login session find it there and ask for no password. A
 * password given on purpose ($CRM_PASSWORD, --password-file) is always
 * checked instead, so that a script's wrong password is refused whatever
 * the keyring holds.
 *
 * Functions return 0 on success and -1 with the error set unless they
 * say otherwise.
 */
#ifndef CRM_VAULT_H
#define CRM_VAULT_H

#include <stddef.h>
#include <stdint.h>

#define VAULT_KEY_SIZE	32
#define VAULT_KEY_FILE	"crm.key"
/* The data key as Berkeley DB's password: hexadecimal, and a NUL. */
#define VAULT_KEY_TEXT	(2 * VAULT_KEY_SIZE + 1)

/* Whether dir is encrypted (it has a key file). Cannot fail. */
int	 vault_encrypted(const char *dir);
/*
 * Make a new random data key for the local in dir (which must exist and
 * have no key file yet), seal it under password and write DIR/crm.key
 * (0600: a temporary file, fsync, rename, fsync of the directory). The
 * key is returned in key. ops and mem_kib are Argon2id's limits; 0 takes
 * the default (vault_limits).
 */
int	 vault_key_create(const char *dir, const char *password,
	    unsigned long long ops, size_t mem_kib,
	    uint8_t key[VAULT_KEY_SIZE]);
/*
 * Open the key file of dir with password. A wrong password (or a key file
 * sealed for another) fails as a wrong login does: "login refused for
 * LOGIN: wrong login or password", and key is left zeroed. A key file
 * that is damaged or missing names itself.
 */
int	 vault_key_unlock(const char *dir, const char *login,
	    const char *password, uint8_t key[VAULT_KEY_SIZE]);
/*
 * Seal the data key of dir under a new password (the old one opens it
 * first, refused as vault_key_unlock refuses): the key file is replaced
 * atomically, and the data is untouched. New limits as vault_key_create.
 */
int	 vault_key_rewrap(const char *dir, const char *login,
	    const char *old_password, const char *new_password);
/* The data key as Berkeley DB's encryption password. Cannot fail. */
void	 vault_key_text(const uint8_t key[VAULT_KEY_SIZE],
	    char text[VAULT_KEY_TEXT]);
/*
 * Argon2id's default limits for a new key file: passes and KiB of memory.
 * A test build (--enable-fault-injection) takes the lowest, as it does
 * for yescrypt. Cannot fail.
 */
void	 vault_limits(unsigned long long *ops, size_t *mem_kib);

/*
 * The session keyring. vault_keyring_find looks for dir's data key:
 * 0 and key, or 1 when it is not there (expired, revoked, never kept,
 * or no keyring here: not an error). vault_keyring_keep puts it there
 * for minutes (0: does nothing); failing to keep it is not an error
 * either (the next command asks again), so it returns nothing.
 * vault_keyring_forget revokes it: 0, or 1 when none was kept.
 */
int	 vault_keyring_find(const char *dir, uint8_t key[VAULT_KEY_SIZE]);
void	 vault_keyring_keep(const char *dir,
	    const uint8_t key[VAULT_KEY_SIZE], unsigned minutes);
int	 vault_keyring_forget(const char *dir);

/*
 * An encrypted master (crm init --master --encrypt, crm demo --encrypt).
 * Its data key is made and used as a local's, but kept unsealed in a key
 * file that only the master's service account can read (mode 0600, as
 * ssh keeps its private keys): crm serve, an administrator's commands on
 * the master's host and a nightly job open the master unattended, and a
 * process that cannot read the file cannot open the master at all (a
 * laptop attaching it over a share is refused, and told to sync through
 * crm serve over ssh).
 *
 * DIR/crm.conf names the file in db.key_file: relative to DIR (by default
 * VAULT_MASTER_KEY_FILE) or absolute, for a key kept apart from the
 * database, so that a copy of the directory is no copy of its key. The
 * file reads:
 *
 *	crm-master-key 1
 *	master ID			the master's db.id
 *	key HEX				the data key, Berkeley DB's password
 *	check HEX			BLAKE2b of the master ID under the key
 *
 * so that a key file of another master or a damaged one is named as such
 * rather than as a damaged database.
 */
#define VAULT_MASTER_KEY_FILE	"master.key"
/*
 * Make a new data key for the master master_id in dir and write its key
 * file at path (relative to dir, or absolute), which must not exist:
 * 0600, made whole (a temporary file, fsync, link). The key is returned.
 */
int	 vault_master_create(const char *dir, const char *path,
	    const char *master_id, uint8_t key[VAULT_KEY_SIZE]);
/*
 * The data key of the master in dir: 0 and key; 1 when the master is not
 * encrypted (its crm.conf names no key file); -1 with the error naming
 * the key file and what to do when it is missing, cannot be read by this
 * process, is readable by group or others, is damaged or is another
 * master's.
 */
int	 vault_master_key(const char *dir, uint8_t key[VAULT_KEY_SIZE]);
/* Whether the master in dir is encrypted (it names a key file). */
int	 vault_master_encrypted(const char *dir);

#endif
