/* strmap: a bounded hash map of strings, chained, FNV-1a. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "xmalloc.h"

struct strmap_entry {
	struct strmap_entry	*next;
	uint32_t		 hash;
	char			*key;
	char			*value;
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

void
strmap_put(struct strmap *m, const char *key, const char *value)
{
	struct strmap_entry	**e, *n;
	uint32_t		  h = strmap_hash(key);

	e = strmap_find(m, key, h);
	if (*e != NULL) {
		free((*e)->value);
		(*e)->value = xstrdup(value);
		return;
	}
	if (m->limit != 0 && m->count >= m->limit)
		strmap_clear(m);
	if (m->count >= m->nslots)
		strmap_grow(m);
	n = xmalloc(sizeof *n);
	n->hash = h;
	n->key = xstrdup(key);
	n->value = xstrdup(value);
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
	free(dead->key);
	free(dead->value);
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
			free(e->key);
			free(e->value);
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
