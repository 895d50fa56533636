/* strmap: a bounded hash map of strings, chained, FNV-1a. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xmalloc.h"

/* One allocation: the key, then the value, after the entry. */
struct strmap_entry {
	struct strmap_entry	*next;
	uint32_t		 hash;
	char			*value;
	char			 key[];
};

struct strmap {
	struct strmap_entry	**slots;
	size_t			  nslots;
	size_t			  count;
	size_t			  limit;
};

static uint32_t
strmap_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

struct strmap *
strmap_new(size_t limit)
{
	struct strmap	*m = xcalloc(1, sizeof *m);

	m->nslots = 1024;
	m->slots = xcalloc(m->nslots, sizeof *m->slots);
	m->limit = limit;
	return m;
}

static struct strmap_entry **
strmap_find(const struct strmap *m, const char *key, uint32_t h)
{
	struct strmap_entry	**e;

	for (e = &m->slots[h & (m->nslots - 1)]; *e != NULL; e = &(*e)->next) {
		if ((*e)->hash == h && strcmp((*e)->key, key) == 0)
			break;
	}
	return e;
}

const char *
strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry	**e = strmap_find(m, key, strmap_hash(key));

	return *e != NULL ? (*e)->value : NULL;
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_entry	**slots, *e, *next;
	size_t			  n = m->nslots * 2, i;

	slots = xcalloc(n, sizeof *slots);
	for (i = 0; i < m->nslots; i++) {
		for (e = m->slots[i]; e != NULL; e = next) {
			next = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
		}
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = n;
}

static struct strmap_entry *
strmap_entry_new(const char *key, uint32_t h, const char *value)
{
	struct strmap_entry	*n;
	size_t			 klen = strlen(key), vlen = strlen(value);

	n = xmalloc(sizeof *n + klen + 1 + vlen + 1);
	n->hash = h;
	memcpy(n->key, key, klen + 1);
	n->value = n->key + klen + 1;
	memcpy(n->value, value, vlen + 1);
	return n;
}

void
strmap_put(struct strmap *m, const char *key, const char *value)
{
	struct strmap_entry	**e, *n;
	uint32_t		  h = strmap_hash(key);

	e = strmap_find(m, key, h);
	if (*e != NULL) {
		n = strmap_entry_new(key, h, value);
		n->next = (*e)->next;
		free(*e);
		*e = n;
		return;
	}
	if (m->limit != 0 && m->count >= m->limit)
		strmap_clear(m);
	if (m->count >= m->nslots)
		strmap_grow(m);
	n = strmap_entry_new(key, h, value);
	n->next = m->slots[h & (m->nslots - 1)];
	m->slots[h & (m->nslots - 1)] = n;
	m->count++;
}

void
strmap_del(struct strmap *m, const char *key)
{
	struct strmap_entry	**e, *dead;

	e = strmap_find(m, key, strmap_hash(key));
	if ((dead = *e) == NULL)
		return;
	*e = dead->next;
	free(dead);
	m->count--;
}

void
strmap_clear(struct strmap *m)
{
	struct strmap_entry	*e, *next;
	size_t			 i;

	for (i = 0; i < m->nslots; i++) {
		for (e = m->slots[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		m->slots[i] = NULL;
	}
	m->count = 0;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->count;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	strmap_clear(m);
	free(m->slots);
	free(m);
}
