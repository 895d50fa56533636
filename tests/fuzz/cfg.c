/*
 * The configuration loader (cfg.c over libconfig): the input is a
 * database's crm.conf, loaded as crm loads it, and every setting is then
 * read back. The system's and the user's files are kept out of it
 * (CRM_SYSCONF and XDG_CONFIG_HOME name none), so an input always loads
 * the same way.
 *
 * An input that names an @include is left out: libconfig would open
 * whatever file it names (a FIFO, /dev/stdin...), which tests the
 * machine, not crm.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

/* Whether the input holds "@include" in any case. */
static int
fuzz_includes(const uint8_t *data, size_t len)
{
	static const char	word[] = "@include";
	size_t			i, j;

	for (i = 0; i + sizeof word - 1 <= len; i++) {
		for (j = 0; j < sizeof word - 1; j++) {
			if (tolower(data[i + j]) != word[j])
				break;
		}
		if (j == sizeof word - 1)
			return 1;
	}
	return 0;
}

/*
 * libconfig 1.5 (Debian 12's) leaks the string its scanner was reading
 * when a syntax error stops it (an unterminated string, one cut by a
 * newline, or adjacent strings "" "" cut short): the buffer of
 * strbuf_append, or the one libconfig_yylex made, is never freed,
 * whatever crm does (every caller of cfg_read destroys the config_t).
 * That is libconfig's, found here and told to LeakSanitizer, so the
 * fuzzer goes on to crm's own code.
 */
const char	*__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int		 ready;
	static char		 none[1024];
	const struct cfg_def	*d;
	char			*text;

	if (fuzz_includes(data, len))
		return -1;
	if (!ready) {
		if (snprintf(none, sizeof none, "%s/none.conf", fuzz_dir()) >=
		    (int)sizeof none)
			abort();
		setenv("CRM_SYSCONF", none, 1);
		setenv("XDG_CONFIG_HOME", fuzz_dir(), 1);
		ready = 1;
	}
	fuzz_file("crm.conf", data, len);
	if (cfg_load(fuzz_dir()) == 0) {
		for (d = cfg_table; d->key != NULL; d++) {
			text = cfg_text(d->key);
			free(text);
			switch (d->type) {
			case CFG_STRING:
				if (cfg_string(d->key) == NULL)
					abort();
				break;
			case CFG_INT:
				cfg_int(d->key);
				break;
			case CFG_BOOL:
				cfg_bool(d->key);
				break;
			}
		}
	}
	cfg_free();
	return 0;
}
