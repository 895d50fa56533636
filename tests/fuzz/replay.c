/*
 * replay: run a harness once on each file named, as libFuzzer does with a
 * corpus, without libFuzzer. make check links every harness with this, so
 * the corpora under tests/fuzz/corpus are replayed by the ordinary build
 * and a regression shows without a fuzzer. Exit 0 when every input ran;
 * a harness that finds a bug aborts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int
main(int argc, char **argv)
{
	FILE	*f;
	uint8_t	*buf = NULL, *in;
	size_t	 len, cap = 0, n;
	int	 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		len = 0;
		for (;;) {
			if (len == cap) {
				cap = cap == 0 ? 65536 : cap * 2;
				if ((buf = realloc(buf, cap)) == NULL) {
					perror("realloc");
					return 1;
				}
			}
			if ((n = fread(buf + len, 1, cap - len, f)) == 0)
				break;
			len += n;
		}
		if (ferror(f)) {
			fprintf(stderr, "%s: read error\n", argv[i]);
			return 1;
		}
		fclose(f);
		/* A copy of exactly len bytes, so ASan sees a read past it. */
		if ((in = malloc(len > 0 ? len : 1)) == NULL) {
			perror("malloc");
			return 1;
		}
		if (len > 0)
			memcpy(in, buf, len);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	free(buf);
	printf("%s: %d input%s replayed\n", argv[0], argc - 1,
	    argc == 2 ? "" : "s");
	return 0;
}
