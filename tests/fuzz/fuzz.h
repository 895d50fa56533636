/*
 * fuzz: what the libFuzzer harnesses share. Each harness (one file per
 * target) defines LLVMFuzzerTestOneInput and calls the real code; it is
 * linked either with libFuzzer (configure --enable-fuzzers) or with
 * replay.c, which runs it once on each file named, for make check.
 *
 * The readers of other programs' files take a path, as the import does,
 * so those harnesses write the input to one file in a directory of
 * their own, made on the first call and removed at exit.
 */
#ifndef CRM_FUZZ_H
#define CRM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The harnesses' directory (made on the first call). Cannot fail. */
const char	*fuzz_dir(void);
/*
 * Write data to name in fuzz_dir() and return its path (static, until
 * the next call). Cannot fail: a write error here is the machine's, not
 * the input's, so it aborts.
 */
const char	*fuzz_file(const char *name, const uint8_t *data, size_t len);

#endif
