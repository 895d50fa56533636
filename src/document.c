/* document: attached files and template texts, copied whole and hashed. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "path.h"
#include "seal.h"
#include "xmalloc.h"

#if RECORD_ID_SIZE != SEAL_ID_SIZE
#error "a sealed file is bound to a record ID of RECORD_ID_SIZE bytes"
#endif

struct document_out {
	int			 fd;
	char			*tmp;
	struct seal_out		*so;
	struct sha256_ctx	 sha;
	off_t			 size;
};

struct document_in {
	int			 fd;
	char			*path;
	char			*name;
	struct seal_in		*si;
};

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

static const char *
document_subdir(int type)
{
	return type == MODEL_TEMPLATE ? "templates" : "documents";
}

char *
document_path(const char *dir, int type, const struct record_id *id)
{
	char	text[RECORD_ID_TEXT + 1], *path;

	record_id_format(id, text);
	xasprintf(&path, "%s/%s/%s", dir, document_subdir(type), text);
	return path;
}

int
document_sealing(const char *dir, int type, const struct record_id *id,
    struct seal_for *sf)
{
	int	ret;

	if ((ret = seal_key_of(dir, sf->key)) != 1)
		return ret;
	sf->kind = type == MODEL_TEMPLATE ? SEAL_TEMPLATE : SEAL_DOCUMENT;
	memcpy(sf->id, id->b, SEAL_ID_SIZE);
	return 1;
}

struct document_out *
document_out_new(const char *dir, int type, const struct record_id *id,
    const char *tmp)
{
	struct document_out	*o;
	struct seal_for		 sf;
	int			 sealed, fd;

	if ((sealed = document_sealing(dir, type, id, &sf)) == -1)
		return NULL;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		error_set("cannot create %s: %s", tmp, strerror(errno));
		sodium_memzero(&sf, sizeof sf);
		return NULL;
	}
	o = xcalloc(1, sizeof *o);
	o->fd = fd;
	o->tmp = xstrdup(tmp);
	o->so = seal_out_new(fd, tmp, sealed ? &sf : NULL);
	sodium_memzero(&sf, sizeof sf);
	if (o->so == NULL) {
		document_out_abort(o);
		return NULL;
	}
	sha256_init(&o->sha);
	return o;
}

int
document_out_write(struct document_out *o, const void *p, size_t len)
{
	sha256_update(&o->sha, len, p);
	o->size += (off_t)len;
	return seal_out_write(o->so, p, len);
}

int
document_out_finish(struct document_out *o, char *hex, off_t *size)
{
	uint8_t	digest[SHA256_DIGEST_SIZE];

	if (seal_out_end(o->so) != 0) {
		document_out_abort(o);
		return -1;
	}
	if (fsync(o->fd) != 0) {
		error_set("cannot write %s: %s", o->tmp, strerror(errno));
		document_out_abort(o);
		return -1;
	}
	if (close(o->fd) != 0) {
		o->fd = -1;
		error_set("cannot write %s: %s", o->tmp, strerror(errno));
		document_out_abort(o);
		return -1;
	}
	o->fd = -1;
	sha256_digest(&o->sha, sizeof digest, digest);
	file_digest_hex(digest, hex);
	if (size != NULL)
		*size = o->size;
	seal_out_free(o->so);
	free(o->tmp);
	free(o);
	return 0;
}

void
document_out_abort(struct document_out *o)
{
	if (o == NULL)
		return;
	if (o->fd != -1)
		close(o->fd);
	unlink(o->tmp);
	seal_out_free(o->so);
	free(o->tmp);
	free(o);
}

/* What a person does about a stored file that is not whole. */
#define DOCUMENT_RESTORE "restore it from a backup (a local can also be " \
	"made again from its master)"

int
document_in_open(const char *dir, int type, const struct record_id *id,
    const char *name, struct document_in **out)
{
	struct document_in	*in;
	struct seal_for		 sf;
	struct stat		 sb;
	char			*path;
	int			 fd, sealed;

	*out = NULL;
	path = document_path(dir, type, id);
	if (name == NULL || *name == '\0')
		name = model_type(type)->name;
	/* The database's own file, never what a link points at (T7). */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			error_set("the file of \"%s\" is missing (%s): a sync "
			    "may bring it back, else restore it from a backup",
			    name, path);
			free(path);
			return DOCUMENT_MISSING;
		}
		if (errno == ELOOP)
			error_set("the file of \"%s\" (%s) is a symbolic "
			    "link, which crm never follows: remove it and %s",
			    name, path, DOCUMENT_RESTORE);
		else
			error_set("cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		error_set("the file of \"%s\" (%s) is not a regular file: "
		    "remove it and %s", name, path, DOCUMENT_RESTORE);
		close(fd);
		free(path);
		return -1;
	}
	if ((sealed = document_sealing(dir, type, id, &sf)) == -1) {
		close(fd);
		free(path);
		return -1;
	}
	in = xcalloc(1, sizeof *in);
	in->fd = fd;
	in->path = path;
	in->name = xstrdup(name);
	in->si = seal_in_new(fd, path, sealed ? &sf : NULL);
	sodium_memzero(&sf, sizeof sf);
	if (in->si == NULL) {
		document_in_close(in);
		return -1;
	}
	*out = in;
	return DOCUMENT_OK;
}

ssize_t
document_in_read(struct document_in *in, void *p, size_t len)
{
	ssize_t	n;

	n = seal_in_read(in->si, p, len);
	if (n == SEAL_DAMAGED) {
		error_set("the file of \"%s\" (%s) is damaged: %s; it was not "
		    "used: %s", in->name, in->path, seal_in_why(in->si),
		    DOCUMENT_RESTORE);
		return -DOCUMENT_DAMAGED;
	}
	return n;
}

void
document_in_close(struct document_in *in)
{
	if (in == NULL)
		return;
	seal_in_free(in->si);
	close(in->fd);
	free(in->path);
	free(in->name);
	free(in);
}

/*
 * Read all of an open stored file into cb, hashing it: 0,
 * DOCUMENT_DAMAGED or -1 (messages set).
 */
static int
document_pump(struct document_in *in, int (*cb)(void *, const void *, size_t),
    void *arg, char *hex, off_t *size)
{
	struct sha256_ctx	 sha;
	uint8_t			 digest[SHA256_DIGEST_SIZE];
	uint8_t			*buf;
	ssize_t			 n;
	off_t			 total = 0;
	int			 ret = 0;

	buf = xmalloc(SEAL_CHUNK);
	sha256_init(&sha);
	while ((n = document_in_read(in, buf, SEAL_CHUNK)) > 0) {
		sha256_update(&sha, (size_t)n, buf);
		total += n;
		if (cb != NULL && cb(arg, buf, (size_t)n) != 0) {
			ret = -1;
			break;
		}
	}
	if (n == -DOCUMENT_DAMAGED)
		ret = DOCUMENT_DAMAGED;
	else if (n < 0)
		ret = -1;
	/* Plaintext: wiped before it goes back to the heap. */
	sodium_memzero(buf, SEAL_CHUNK);
	free(buf);
	if (ret != 0)
		return ret;
	sha256_digest(&sha, sizeof digest, digest);
	file_digest_hex(digest, hex);
	if (size != NULL)
		*size = total;
	return 0;
}

int
document_hash(const char *dir, int type, const struct record_id *id,
    const char *name, char *hex, off_t *size)
{
	struct document_in	*in;
	int			 ret;

	if ((ret = document_in_open(dir, type, id, name, &in)) != 0)
		return ret;
	ret = document_pump(in, NULL, NULL, hex, size);
	document_in_close(in);
	return ret;
}

int
document_read(const char *dir, int type, const struct record *r,
    int (*cb)(void *, const void *, size_t), void *arg)
{
	struct document_in	*in;
	const char		*want = record_value(r, "hash");
	const char		*name = record_value(r, "filename");
	char			 hex[FILE_HASH_TEXT + 1];
	int			 ret;

	if ((ret = document_in_open(dir, type, &r->id, name, &in)) != 0)
		return ret;
	ret = document_pump(in, cb, arg, hex, NULL);
	if (ret == 0 && *want != '\0' && strcmp(hex, want) != 0) {
		error_set("the file of \"%s\" (%s) has changed since it was "
		    "stored: its SHA-256 no longer matches", name, in->path);
		ret = DOCUMENT_CHANGED;
	}
	document_in_close(in);
	return ret;
}

/* document_read into an open file; errors name path. */
struct document_to {
	int		 fd;
	const char	*path;
};

static int
document_to_fd(void *arg, const void *p, size_t len)
{
	struct document_to	*to = arg;

	if (file_write_all(to->fd, p, len) != 0) {
		error_set("cannot write %s: %s", to->path, errno == ENOSPC ?
		    "the disk is full; free some space and try again" :
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Empty a private directory of document_temp's and remove it. */
static void
document_temp_clear(const char *sub)
{
	DIR		*d;
	struct dirent	*e;
	char		*path;

	if ((d = opendir(sub)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			xasprintf(&path, "%s/%s", sub, e->d_name);
			unlink(path);
			free(path);
		}
		closedir(d);
	}
	rmdir(sub);
}

/* Where a document is opened: $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp. */
static const char *
document_temp_base(void)
{
	static const char *const vars[] = { "XDG_RUNTIME_DIR", "TMPDIR" };
	struct stat	 sb;
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		v = getenv(vars[i]);
		if (v != NULL && *v == '/' && stat(v, &sb) == 0 &&
		    S_ISDIR(sb.st_mode) && access(v, W_OK | X_OK) == 0)
			return v;
	}
	return "/tmp";
}

/*
 * Remove what a crm killed while a program had a document open left in
 * base: the private directories (crm-open-PID-XXXXXX) of this user's
 * processes that are gone, and the copy in each.
 */
static void
document_temp_sweep(const char *base)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 sb;
	char		*sub, *end;
	long		 pid;

	if ((d = opendir(base)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "crm-open-", 9) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + 9, &end, 10);
		if (errno != 0 || pid <= 0 || *end != '-')
			continue;
		/* Alive, or not ours to ask about: left alone. */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		xasprintf(&sub, "%s/%s", base, e->d_name);
		if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    sb.st_uid == getuid())
			document_temp_clear(sub);
		free(sub);
	}
	closedir(d);
}

int
document_temp(const char *dir, int type, const struct record *r, char **path)
{
	struct document_to	 to;
	char			*tmpdir, *name, *file;
	int			 ret;

	*path = NULL;
	document_temp_sweep(document_temp_base());
	xasprintf(&tmpdir, "%s/crm-open-%ld-XXXXXX", document_temp_base(),
	    (long)getpid());
	/* mkdtemp makes it 0700: the file inside is this user's alone. */
	if (mkdtemp(tmpdir) == NULL) {
		error_set("cannot make a private directory in %s to open the "
		    "file in: %s", document_temp_base(), strerror(errno));
		free(tmpdir);
		return -1;
	}
	/* Its own name, made a plain one, so a viewer knows its kind. */
	name = path_base_safe(record_value(r, "filename"));
	xasprintf(&file, "%s/%s", tmpdir, *name != '\0' ? name : "document");
	free(name);
	to.path = file;
	if ((to.fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		error_set("cannot create %s: %s", file, strerror(errno));
		rmdir(tmpdir);
		free(tmpdir);
		free(file);
		return -1;
	}
	ret = document_read(dir, type, r, document_to_fd, &to);
	if (close(to.fd) != 0 && (ret == DOCUMENT_OK ||
	    ret == DOCUMENT_CHANGED)) {
		error_set("cannot write %s: %s", file, strerror(errno));
		ret = -1;
	}
	free(tmpdir);
	if (ret != DOCUMENT_OK && ret != DOCUMENT_CHANGED) {
		document_temp_remove(file);
		return ret;
	}
	*path = file;
	return ret;
}

void
document_temp_remove(char *path)
{
	char	*slash;

	if (path == NULL)
		return;
	unlink(path);
	if ((slash = strrchr(path, '/')) != NULL && slash != path) {
		*slash = '\0';
		rmdir(path);
	}
	free(path);
}

int
document_export(const char *dir, int type, const struct record *r,
    const char *dst, int changed_ok)
{
	struct document_to	 to;
	struct stat		 sb;
	char			*tmp, *parent, *slash;
	int			 ret;

	/* Said of dst, not of the temporary file beside it. */
	parent = xstrdup(dst);
	if ((slash = strrchr(parent, '/')) != NULL)
		slash[slash == parent ? 1 : 0] = '\0';
	if (slash != NULL && (stat(parent, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))) {
		error_set("cannot write %s: %s is not a directory", dst, parent);
		free(parent);
		return -1;
	}
	free(parent);
	xasprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid());
	unlink(tmp);
	to.path = dst;
	if ((to.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		error_set("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ret = document_read(dir, type, r, document_to_fd, &to);
	if (ret == DOCUMENT_OK || (ret == DOCUMENT_CHANGED && changed_ok)) {
		if (fsync(to.fd) != 0) {
			error_set("cannot write %s: %s", dst, strerror(errno));
			ret = -1;
		}
		if (close(to.fd) != 0 && ret != -1) {
			error_set("cannot write %s: %s", dst, strerror(errno));
			ret = -1;
		}
		if (ret != -1 && rename(tmp, dst) != 0) {
			error_set("cannot rename %s to %s: %s", tmp, dst,
			    strerror(errno));
			ret = -1;
		}
		if (ret == -1)
			unlink(tmp);
	} else {
		close(to.fd);
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/*
 * Copy the plaintext of in (or of the plain file at src when in is NULL)
 * into a new stored file tmp for (type, id). 0 or -1; tmp is gone on
 * failure.
 */
static int
document_copy_in(const char *dir, int type, const struct record_id *id,
    const char *src, struct document_in *in, const char *tmp, char *hex,
    off_t *size)
{
	struct document_out	*o;
	uint8_t			*buf;
	ssize_t			 n;
	int			 fd = -1;

	if (in == NULL && (fd = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		error_set("cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	if ((o = document_out_new(dir, type, id, tmp)) == NULL) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	buf = xmalloc(SEAL_CHUNK);
	for (;;) {
		if (in != NULL) {
			n = document_in_read(in, buf, SEAL_CHUNK);
		} else {
			do
				n = read(fd, buf, SEAL_CHUNK);
			while (n < 0 && errno == EINTR);
			if (n < 0)
				error_set("cannot read %s: %s", src,
				    strerror(errno));
		}
		if (n <= 0)
			break;
		if (document_out_write(o, buf, (size_t)n) != 0) {
			n = -1;
			break;
		}
	}
	sodium_memzero(buf, SEAL_CHUNK);
	free(buf);
	if (fd != -1)
		close(fd);
	if (n != 0) {
		document_out_abort(o);
		return n == -DOCUMENT_DAMAGED ? DOCUMENT_DAMAGED : -1;
	}
	return document_out_finish(o, hex, size);
}

int
document_put(const char *dir, int type, const struct record_id *id,
    const void *data, size_t len, char *hex)
{
	struct document_out	*o;
	char			*dst, *tmp;
	int			 ret = -1;

	dst = document_path(dir, type, id);
	xasprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid());
	unlink(tmp);
	if ((o = document_out_new(dir, type, id, tmp)) != NULL) {
		if (document_out_write(o, data, len) != 0)
			document_out_abort(o);
		else if (document_out_finish(o, hex, NULL) == 0) {
			if (rename(tmp, dst) != 0) {
				error_set("cannot rename %s to %s: %s", tmp,
				    dst, strerror(errno));
				unlink(tmp);
			} else
				ret = 0;
		}
	}
	free(tmp);
	free(dst);
	return ret;
}

int
document_seal(const char *dir, int type, const struct record *r)
{
	struct document_in	*in;
	struct seal_for		 sf;
	const char		*want = record_value(r, "hash");
	char			 hex[FILE_HASH_TEXT + 1], *dst, *tmp;
	uint8_t			 head[SEAL_PREFIX];
	ssize_t			 n;
	int			 ret;

	switch (document_sealing(dir, type, &r->id, &sf)) {
	case 0:
		error_set("cannot seal the files of %s: it has no key",
		    dir);
		return -1;
	case -1:
		return -1;
	}
	sodium_memzero(&sf, sizeof sf);
	if ((ret = document_in_open(dir, type, &r->id, record_value(r,
	    "filename"), &in)) != 0)
		return ret;
	/* Sealed already (a conversion run again): nothing to do. */
	do
		n = pread(in->fd, head, sizeof head, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && seal_is_sealed(head, (size_t)n)) {
		document_in_close(in);
		return DOCUMENT_OK;
	}
	dst = document_path(dir, type, &r->id);
	xasprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid());
	unlink(tmp);
	ret = document_copy_in(dir, type, &r->id, NULL, in, tmp, hex, NULL);
	document_in_close(in);
	if (ret == 0 && rename(tmp, dst) != 0) {
		error_set("cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	if (ret == 0 && *want != '\0' && strcmp(hex, want) != 0) {
		error_set("the file of \"%s\" (%s) has changed since it was "
		    "stored: its SHA-256 no longer matches; it was sealed as "
		    "it is", record_value(r, "filename"), dst);
		ret = DOCUMENT_CHANGED;
	}
	free(tmp);
	free(dst);
	return ret;
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

/*
 * document_store's work, from the file at path or from len bytes at
 * data: the new record's ID is chosen first, as the sealed file is bound
 * to it.
 */
static int
document_store_from(struct store_txn *t, const char *dir,
    const struct user *actor, int type, const char *path, const char *data,
    size_t len, const struct model_change *ch, size_t n,
    struct record_id *out)
{
	struct model_change	*all;
	struct document_out	*o;
	struct record_id	 id;
	const char		*filename = NULL;
	char			 hex[FILE_HASH_TEXT + 1], sizetext[32];
	char			*tmp, *dst, *base = NULL;
	off_t			 size;
	size_t			 i, k;
	int			 ret = -1;

	record_id_new(&id, clock_now_ms());
	/* The same name for every process: one attach at a time each. */
	xasprintf(&tmp, "%s/%s/.attach-%ld", dir, document_subdir(type),
	    (long)getpid());
	unlink(tmp);
	if (path != NULL)
		ret = document_copy_in(dir, type, &id, path, NULL, tmp, hex,
		    &size);
	else if ((o = document_out_new(dir, type, &id, tmp)) != NULL) {
		if (document_out_write(o, data, len) != 0)
			document_out_abort(o);
		else
			ret = document_out_finish(o, hex, &size);
	}
	if (ret != 0) {
		free(tmp);
		return -1;
	}
	ret = -1;
	all = xcalloc(n + 5, sizeof *all);
	for (i = k = 0; i < n; i++) {
		if (strcmp(ch[i].name, "filename") == 0)
			filename = ch[i].value;
		else
			all[k++] = ch[i];
	}
	/* The file's own name, made a plain one (T7: ".profile" is "profile"). */
	if ((filename == NULL || *filename == '\0') && path != NULL)
		filename = base = path_base_safe(document_base(path));
	if (filename == NULL)
		filename = "";
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
	if (model_add_id(t, actor, type, all, k, &id, out) != 0)
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
document_store(struct store_txn *t, const char *dir, const struct user *actor,
    int type, const char *path, const struct model_change *ch, size_t n,
    struct record_id *out)
{
	struct stat	sb;

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
	return document_store_from(t, dir, actor, type, path, NULL, 0, ch, n,
	    out);
}

int
document_store_text(struct store_txn *t, const char *dir,
    const struct user *actor, int type, const char *data, size_t len,
    const struct model_change *ch, size_t n, struct record_id *out)
{
	return document_store_from(t, dir, actor, type, NULL, data, len, ch,
	    n, out);
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
	return document_read(dir, type, r, NULL, NULL);
}

int
document_replace(struct store_txn *t, const char *dir, const struct user *actor,
    int type, const struct record_id *id, const char *path)
{
	struct model_change	 ch[2];
	struct stat		 sb;
	char			 hex[FILE_HASH_TEXT + 1], sizetext[32];
	char			*dst, *tmp;
	off_t			 size;
	int			 ret;

	if (stat(path, &sb) != 0) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	dst = document_path(dir, type, id);
	xasprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid());
	unlink(tmp);
	ret = document_copy_in(dir, type, id, path, NULL, tmp, hex, &size);
	if (ret == 0 && rename(tmp, dst) != 0) {
		error_set("cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	free(tmp);
	free(dst);
	if (ret != 0)
		return -1;
	ch[0].name = "hash";
	ch[0].value = hex;
	ch[1].name = "size";
	snprintf(sizetext, sizeof sizetext, "%jd", (intmax_t)size);
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
