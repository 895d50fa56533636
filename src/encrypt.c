/* encrypt: a plain local made encrypted at rest (crm encrypt). */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"
#include "encrypt.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "vault.h"
#include "xmalloc.h"

static void	(*encrypt_tick)(void);

void
encrypt_fault(void (*tick)(void))
{
	encrypt_tick = tick;
}

/* Every step of a conversion passes here, so a test can stop it anywhere. */
static void
encrypt_step(void)
{
	if (encrypt_tick != NULL)
		encrypt_tick();
}

int
encrypt_document(const char *from, const char *todir, int type,
    const struct record_id *id, const char *to)
{
	struct document_out	*o;
	char			 buf[65536], hex[FILE_HASH_TEXT + 1], *tmp;
	ssize_t			 n;
	int			 fd, ret = -1;

	if ((fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		error_set("cannot read %s: %s", from, strerror(errno));
		return -1;
	}
	xasprintf(&tmp, "%s.tmp-%ld", to, (long)getpid());
	unlink(tmp);
	if ((o = document_out_new(todir, type, id, tmp)) == NULL)
		goto out;
	for (;;) {
		do
			n = read(fd, buf, sizeof buf);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			break;
		if (document_out_write(o, buf, (size_t)n) != 0) {
			o = NULL;
			goto out;
		}
	}
	if (n == -1) {
		error_set("cannot read %s: %s", from, strerror(errno));
		document_out_abort(o);
		goto out;
	}
	if (document_out_finish(o, hex, NULL) != 0)
		goto out;
	if (rename(tmp, to) != 0) {
		error_set("cannot rename %s to %s: %s", tmp, to,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	free(tmp);
	return ret;
}

int
encrypt_documents(const char *dir, const char *to)
{
	static const char *const	 trees[] = { "documents", "templates" };
	static const int		 types[] = { MODEL_DOCUMENT,
					    MODEL_TEMPLATE };
	struct record_id		 id;
	struct stat			 sb;
	DIR				*d;
	struct dirent			*de;
	char				*src, *from, *dst;
	size_t				 i;
	int				 ret = 0;

	for (i = 0; ret == 0 && i < sizeof trees / sizeof trees[0]; i++) {
		xasprintf(&src, "%s/%s", dir, trees[i]);
		if ((d = opendir(src)) == NULL) {
			/* A local may lack one: it is made empty. */
			if (errno != ENOENT) {
				error_set("cannot read %s: %s", src,
				    strerror(errno));
				ret = -1;
			}
			free(src);
			continue;
		}
		while (ret == 0 && (de = readdir(d)) != NULL) {
			if (record_id_parse(de->d_name, &id) != 0) {
				error_clear();
				continue;
			}
			xasprintf(&from, "%s/%s", src, de->d_name);
			if (lstat(from, &sb) != 0 || !S_ISREG(sb.st_mode)) {
				free(from);
				continue;
			}
			encrypt_step();
			xasprintf(&dst, "%s/%s/%s", to, trees[i], de->d_name);
			ret = encrypt_document(from, to, types[i], &id, dst);
			free(dst);
			free(from);
		}
		closedir(d);
		free(src);
	}
	return ret;
}

/* Bytes of the local's files and attached files: what a copy needs. */
static uint64_t
encrypt_size(const char *dir)
{
	static const char *const	 trees[] = { ".", "documents",
					     "templates" };
	struct stat			 sb;
	DIR				*d;
	struct dirent			*de;
	char				*sub, *path;
	size_t				 i, len;
	uint64_t			 n = 0;

	for (i = 0; i < sizeof trees / sizeof trees[0]; i++) {
		xasprintf(&sub, "%s/%s", dir, trees[i]);
		if ((d = opendir(sub)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				len = strlen(de->d_name);
				if (i == 0 && (len < 4 || strcmp(de->d_name +
				    len - 3, ".db") != 0))
					continue;
				xasprintf(&path, "%s/%s", sub, de->d_name);
				if (lstat(path, &sb) == 0 &&
				    S_ISREG(sb.st_mode))
					n += (uint64_t)sb.st_size;
				free(path);
			}
			closedir(d);
		}
		free(sub);
	}
	return n;
}

/* Make the copy in DIR/encrypt and mark it complete. */
static int
encrypt_build(struct store *local, const char *work, const char *password,
    void (*progress)(void *, uint64_t, uint64_t), void *arg,
    uint8_t key[VAULT_KEY_SIZE])
{
	const char	*dir = store_dir(local);
	char		*path;
	int		 ret;

	encrypt_step();
	if (mkdir(work, 0700) != 0) {
		error_set("cannot create %s: %s", work, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/documents", work);
	ret = mkdir(path, 0700);
	free(path);
	if (ret == 0) {
		xasprintf(&path, "%s/templates", work);
		ret = mkdir(path, 0700);
		free(path);
	}
	if (ret != 0) {
		error_set("cannot create a directory in %s: %s", work,
		    strerror(errno));
		return -1;
	}
	encrypt_step();
	if (vault_key_create(work, password, 0, 0, key) != 0)
		return -1;
	store_set_key_bytes(work, key);
	encrypt_step();
	ret = store_encrypt_copy(local, work, progress, arg);
	if (ret == 0)
		ret = encrypt_documents(dir, work);
	store_set_key(work, NULL);
	if (ret != 0)
		return -1;
	encrypt_step();
	return store_encrypt_mark(dir);
}

int
encrypt_local(struct store *local, const char *password,
    void (*progress)(void *, uint64_t, uint64_t), void *arg,
    uint8_t key[VAULT_KEY_SIZE])
{
	char		*dir, *work, *saved;
	uint64_t	 need;
	int		 ret, full;

	memset(key, 0, VAULT_KEY_SIZE);
	dir = xstrdup(store_dir(local));
	xasprintf(&work, "%s/%s", dir, STORE_ENCRYPT_DIR);
	/* Nobody else may have the local open while it is replaced. */
	if ((ret = store_alone(local)) != 0) {
		if (ret == STORE_BUSY)
			error_set("%s is open in another crm (the screens, or "
			    "a sync): close it and run crm encrypt again; "
			    "nothing was changed", dir);
		goto out;
	}
	/*
	 * What a conversion or a first sync that were stopped left goes
	 * first: both may hold the plain text.
	 */
	if (store_encrypt_clear(dir) != 0 || store_load_clear(dir) != 0) {
		ret = -1;
		goto out;
	}
	if ((ret = encrypt_build(local, work, password, progress, arg,
	    key)) != 0) {
		full = store_io_was_full() || errno == ENOSPC ||
		    errno == EDQUOT;
		need = encrypt_size(dir);
		saved = xstrdup(error_get());
		store_encrypt_clear(dir);
		if (full)
			error_set("the disk holding %s is full: crm encrypt "
			    "needs room for a second copy of the local (about "
			    "%llu MB) while it works; free some space and run "
			    "it again; %s is as it was, not encrypted", dir,
			    (unsigned long long)(need / (1024 * 1024) + 1),
			    dir);
		else
			error_set("%s; %s is as it was, not encrypted", saved,
			    dir);
		free(saved);
		memset(key, 0, VAULT_KEY_SIZE);
		goto out;
	}
	/* Marked: from here the copy replaces the local, whatever happens. */
	ret = store_close(local);
	local = NULL;
	if (ret != 0)
		error_clear();
	encrypt_step();
	if ((ret = store_encrypt_switch(dir, 30)) != 0) {
		error_prefix("%s is encrypted, but its old files are not all "
		    "replaced yet: the next crm to open it finishes that; ",
		    dir);
	}

out:
	if (local != NULL)
		store_close(local);
	free(work);
	free(dir);
	return ret;
}
