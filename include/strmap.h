/*
 * strmap: a hash map from strings to strings, bounded in size.
 *
 * An import keeps what it has looked up (contacts by name, companies by
 * name) so that each row costs the same however many came before; a
 * writer keeps the names of the records its rows refer to. Neither may
 * grow with the file: a map made with a limit empties itself when it
 * holds that many entries, and its user looks things up again.
 */
#ifndef CRM_STRMAP_H
#define CRM_STRMAP_H

#include <stddef.h>

struct strmap;

/* A map of at most limit entries (0: no limit). Cannot fail. */
struct strmap	*strmap_new(size_t limit);
/* The value of key, or NULL. */
const char	*strmap_get(const struct strmap *, const char *key);
/* Set key to a copy of value; may first empty a full map. */
void		 strmap_put(struct strmap *, const char *key, const char *value);
void		 strmap_del(struct strmap *, const char *key);
void		 strmap_clear(struct strmap *);
size_t		 strmap_count(const struct strmap *);
/* NULL is allowed. */
void		 strmap_free(struct strmap *);

#endif
