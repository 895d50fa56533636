/*
 * store-key: the data keys of encrypted databases, by directory
 * (include/store.h, store_set_key), for store.c to open them with and
 * for what reads their files without a store (store-verify.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "vault.h"
#include "xmalloc.h"

/*
 * The keys given, by directory: a process has a local open, perhaps its
 * load, and a master (whose key store_key_take reads from its key file).
 */
#define STORE_NKEYS	8
static struct {
	char	*dir;
	char	*key;
} store_keys[STORE_NKEYS];
static size_t	store_keys_next;

void
store_set_key(const char *dir, const char *key)
{
	size_t	i, free_slot = STORE_NKEYS;

	for (i = 0; i < STORE_NKEYS; i++) {
		if (store_keys[i].dir == NULL) {
			if (free_slot == STORE_NKEYS)
				free_slot = i;
			continue;
		}
		if (strcmp(store_keys[i].dir, dir) != 0)
			continue;
		explicit_bzero(store_keys[i].key, strlen(store_keys[i].key));
		free(store_keys[i].key);
		free(store_keys[i].dir);
		store_keys[i].dir = store_keys[i].key = NULL;
		if (free_slot == STORE_NKEYS)
			free_slot = i;
	}
	if (key == NULL)
		return;
	/* The AES and SHA-1 for this key's pages, chosen before the first. */
	store_cipher_check();
	store_mac_check();
	/*
	 * Full (the screens opened many databases in turn): the oldest
	 * goes. A store keeps its own copy, so only a later open of that
	 * database misses it, and then says how it opens.
	 */
	if (free_slot == STORE_NKEYS) {
		free_slot = store_keys_next++ % STORE_NKEYS;
		explicit_bzero(store_keys[free_slot].key,
		    strlen(store_keys[free_slot].key));
		free(store_keys[free_slot].key);
		free(store_keys[free_slot].dir);
	}
	store_keys[free_slot].dir = xstrdup(dir);
	store_keys[free_slot].key = xstrdup(key);
}

void
store_set_key_bytes(const char *dir, const uint8_t *key)
{
	char	text[VAULT_KEY_TEXT];

	vault_key_text(key, text);
	store_set_key(dir, text);
	explicit_bzero(text, sizeof text);
}

const char *
store_key_of(const char *dir)
{
	size_t	i;

	for (i = 0; i < STORE_NKEYS; i++) {
		if (store_keys[i].dir != NULL &&
		    strcmp(store_keys[i].dir, dir) == 0)
			return store_keys[i].key;
	}
	return NULL;
}
