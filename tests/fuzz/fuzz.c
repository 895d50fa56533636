/* fuzz: the harnesses' scratch directory and input file. */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char	fuzz_path[PATH_MAX];

/* Remove the directory and what the harnesses left in it. */
static void
fuzz_cleanup(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];

	if (fuzz_path[0] == '\0' || (d = opendir(fuzz_path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof path, "%s/%s", fuzz_path,
		    de->d_name) < (int)sizeof path)
			unlink(path);
	}
	closedir(d);
	rmdir(fuzz_path);
}

const char *
fuzz_dir(void)
{
	const char	*tmp;

	if (fuzz_path[0] != '\0')
		return fuzz_path;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(fuzz_path, sizeof fuzz_path, "%s/crm-fuzz.XXXXXX",
	    tmp) >= (int)sizeof fuzz_path || mkdtemp(fuzz_path) == NULL) {
		perror(fuzz_path);
		abort();
	}
	atexit(fuzz_cleanup);
	return fuzz_path;
}

const char *
fuzz_file(const char *name, const uint8_t *data, size_t len)
{
	static char	 path[PATH_MAX];
	FILE		*f;

	if (snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name) >=
	    (int)sizeof path)
		abort();
	/*
	 * A new file each time: ext4 flushes a file truncated and written
	 * again when it is closed (auto_da_alloc), which made each run wait
	 * for the disk.
	 */
	unlink(path);
	if ((f = fopen(path, "wb")) == NULL ||
	    (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}
