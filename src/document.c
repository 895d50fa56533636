/* document: attached files and template texts, copied whole and hashed. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "path.h"
#include "xmalloc.h"

const char *
document_mime(const char *name)
{
	static const char *const map[] = {
		".pdf", "application/pdf", ".txt", "text/plain",
		".text", "text/plain", ".md", "text/markdown",
		".html", "text/html", ".htm", "text/html",
		".odt", "application/vnd.oasis.opendocument.text",
		".ods", "application/vnd.oasis.opendocument.spreadsheet",
		".doc", "application/msword", ".docx", "application/vnd."
		"openxmlformats-officedocument.wordprocessingml.document",
		".xls", "application/vnd.ms-excel", ".xlsx", "application/"
		"vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".csv", "text/csv", ".png", "image/png", ".jpg", "image/jpeg",
		".jpeg", "image/jpeg", ".gif", "image/gif", ".eml",
		"message/rfc822", NULL
	};
	const char	*dot;
	int		 i;

	if ((dot = strrchr(name, '.')) == NULL)
		return "application/octet-stream";
	for (i = 0; map[i] != NULL; i += 2) {
		if (strcasecmp(dot, map[i]) == 0)
			return map[i + 1];
	}
	return "application/octet-stream";
}

char *
document_path(const char *dir, int type, const struct record_id *id)
{
	char	text[RECORD_ID_TEXT + 1], *path;

	record_id_format(id, text);
	xasprintf(&path, "%s/%s/%s", dir, type == MODEL_TEMPLATE ?
	    "templates" : "documents", text);
	return path;
}

/* The last component of a path, without changing it. */
static const char *
document_base(const char *path)
{
	const char	*slash;
	size_t		 len = strlen(path);

	/* "dir/" has no base name: the caller refuses directories first. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (slash = path + len; slash > path && slash[-1] != '/'; slash--)
		/* nothing */;
	return slash;
}

int
document_store(struct store_txn *t, const char *dir, const struct user *actor,
    int type, const char *path, const struct model_change *ch, size_t n,
    struct record_id *out)
{
	struct model_change	*all;
	struct stat		 sb;
	const char		*filename = NULL;
	char			 hex[FILE_HASH_TEXT + 1], sizetext[32];
	char			*tmp, *dst, *base = NULL;
	off_t			 size;
	size_t			 i, k;
	int			 ret = -1;

	if (stat(path, &sb) != 0) {
		error_set("cannot attach %s: %s", path, errno == ENOENT ?
		    "there is no such file; check the path" : strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		error_set("cannot attach %s: it is %s, not a file", path,
		    S_ISDIR(sb.st_mode) ? "a directory" : "a special file");
		return -1;
	}
	/* The same name for every process: one attach at a time each. */
	xasprintf(&tmp, "%s/%s/.attach-%ld", dir, type == MODEL_TEMPLATE ?
	    "templates" : "documents", (long)getpid());
	unlink(tmp);
	if (file_copy(path, tmp, hex, &size) != 0) {
		free(tmp);
		return -1;
	}
	all = xcalloc(n + 5, sizeof *all);
	for (i = k = 0; i < n; i++) {
		if (strcmp(ch[i].name, "filename") == 0)
			filename = ch[i].value;
		else
			all[k++] = ch[i];
	}
	/* The file's own name, made a plain one (T7: ".profile" is "profile"). */
	if (filename == NULL || *filename == '\0')
		filename = base = path_base_safe(document_base(path));
	all[k].name = "filename";
	all[k++].value = filename;
	all[k].name = "hash";
	all[k++].value = hex;
	if (type == MODEL_DOCUMENT) {
		snprintf(sizetext, sizeof sizetext, "%jd", (intmax_t)size);
		all[k].name = "size";
		all[k++].value = sizetext;
		all[k].name = "mime";
		all[k++].value = document_mime(filename);
	}
	if (model_add(t, actor, type, all, k, out) != 0)
		goto out;
	dst = document_path(dir, type, out);
	/* The file takes its final name only when complete (S13). */
	if (rename(tmp, dst) != 0)
		error_set("cannot store %s: %s", dst, strerror(errno));
	else
		ret = 0;
	free(dst);
out:
	if (ret != 0)
		unlink(tmp);
	free(all);
	free(base);
	free(tmp);
	return ret;
}

int
document_attach(struct store_txn *t, const char *dir, const struct user *actor,
    const struct record_id *parent, const char *path, const char *description,
    struct record_id *out)
{
	struct model_change	ch[2];
	char			ptext[RECORD_ID_TEXT + 1];

	record_id_format(parent, ptext);
	ch[0].name = "parent";
	ch[0].value = ptext;
	ch[1].name = "description";
	ch[1].value = description != NULL ? description : "";
	return document_store(t, dir, actor, MODEL_DOCUMENT, path, ch, 2, out);
}

void
document_discard(const char *dir, int type, const struct record_id *id)
{
	char	*path = document_path(dir, type, id);

	unlink(path);
	free(path);
}

int
document_check(const char *dir, int type, const struct record *r)
{
	char		 hex[FILE_HASH_TEXT + 1], *path;
	const char	*want = record_value(r, "hash");
	int		 ret = DOCUMENT_OK;

	path = document_path(dir, type, &r->id);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		error_set("the file of \"%s\" is missing (%s): a sync may "
		    "bring it back, else restore it from a backup",
		    record_value(r, "filename"), path);
		ret = DOCUMENT_MISSING;
	} else if (file_hash(path, hex, NULL) != 0)
		ret = -1;
	else if (*want != '\0' && strcmp(hex, want) != 0) {
		error_set("the file of \"%s\" (%s) has changed since it was "
		    "stored: its SHA-256 no longer matches", record_value(r,
		    "filename"), path);
		ret = DOCUMENT_CHANGED;
	}
	free(path);
	return ret;
}

int
document_replace(struct store_txn *t, const char *dir, const struct user *actor,
    int type, const struct record_id *id, const char *path)
{
	struct model_change	 ch[2];
	struct stat		 sb;
	char			 hex[FILE_HASH_TEXT + 1], sizetext[32], *dst;
	int			 ret;

	if (stat(path, &sb) != 0) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	dst = document_path(dir, type, id);
	ret = file_install(path, dst, hex);
	free(dst);
	if (ret != 0)
		return -1;
	ch[0].name = "hash";
	ch[0].value = hex;
	ch[1].name = "size";
	snprintf(sizetext, sizeof sizetext, "%jd", (intmax_t)sb.st_size);
	ch[1].value = sizetext;
	return model_update(t, actor, type, id, ch, type == MODEL_DOCUMENT ?
	    2 : 1);
}

char *
document_size_text(const char *bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	char		*end, *s;
	double		 v;
	uintmax_t	 n;
	int		 u;

	errno = 0;
	n = strtoumax(bytes, &end, 10);
	if (*bytes == '\0' || *end != '\0' || errno != 0)
		return xstrdup(bytes);
	if (n < 1024) {
		xasprintf(&s, "%ju byte%s", n, n == 1 ? "" : "s");
		return s;
	}
	v = (double)n / 1024;
	for (u = 0; v >= 1024 && u < 3; u++)
		v /= 1024;
	xasprintf(&s, "%.1f %s", v, units[u]);
	return s;
}
