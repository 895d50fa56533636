/*
 * encrypt: a plain local made encrypted at rest (crm encrypt).
 *
 * Locals made before encryption are plain. encrypt_local makes one
 * encrypted where it lies, under its user's password, losing nothing:
 * every record file with its outbox, the conflict log, meta.db (sync
 * state, clock, drafts, deleted records), the attached files; crm.conf
 * stays as it is, and with it the local's master and identity, so the
 * next sync is an ordinary one.
 *
 * The encrypted copy is made beside the local in DIR/encrypt/ (a new key
 * file, then every file of the local through Berkeley DB, then the
 * attached files), written out and marked complete; only then does it
 * replace the local, file by file, a switch any later crm finishes if
 * this one is stopped (include/store.h, store_encrypt_*). Stopped at any
 * moment, the local is the old plain one or the new encrypted one. The
 * plain files are removed, not kept: old logs and region files, whose
 * pages held the plain text, go too.
 *
 * Functions return 0 on success and -1 with the error set.
 */
#ifndef CRM_ENCRYPT_H
#define CRM_ENCRYPT_H

#include <stdint.h>

#include "record.h"
#include "store.h"
#include "vault.h"

/*
 * Encrypt the plain local open in local (its user logged in with
 * password) under that password; local is closed whatever happens.
 * Returns 0 and the new data key in key; STORE_BUSY when another process
 * has the local open (nothing done); -1 with the local as it was, plain,
 * unless the error says the switch was cut off (then the next command
 * finishes it). progress as store_encrypt_copy's.
 */
int	encrypt_local(struct store *local, const char *password,
	    void (*progress)(void *, uint64_t done, uint64_t total),
	    void *arg, uint8_t key[VAULT_KEY_SIZE]);
/*
 * The attached files of the local in dir, documents/ and templates/,
 * made into the copy's in to (which has both directories, empty, and the
 * key: store_set_key), file by file (encrypt_document). Only files named
 * by a record ID are data: leftovers of killed commands (NAME.tmp-PID)
 * stay behind with the old local, and so do symbolic links, which crm
 * never makes nor follows.
 */
int	encrypt_documents(const char *dir, const char *to);
/*
 * One attached file of a local being encrypted, the file of (type, id):
 * read from from and sealed into to as it is read (a temporary name, then
 * a rename), under the key of the copy in todir, so that its plaintext is
 * never written there.
 */
int	encrypt_document(const char *from, const char *todir, int type,
	    const struct record_id *id, const char *to);
/* For tests of crash safety: tick is called before every step. */
void	encrypt_fault(void (*tick)(void));

#endif
