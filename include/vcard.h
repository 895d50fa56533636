/*
 * vcard: vCard files (RFC 6350 version 4.0; versions 3.0 and 2.1 read too,
 * as phones and other address books still send them).
 *
 * Debian has no well-kept C library for vCard 4.0: libvformat and libvc
 * (rolo's) stopped at 2.1/3.0 around 2003, libbelcard is C++ over its own
 * grammar runtime, and libebook needs all of Evolution's data server. So
 * this small module does the text format only; what a card means for a
 * contact is src/exchange.c's business.
 *
 * Reading: content lines are unfolded (a line starting with a space or a
 * tab continues the one before), 2.1 quoted-printable values are decoded
 * (with their soft line breaks), a CHARSET other than UTF-8 is converted
 * with iconv, and 2.1's bare parameters ("TEL;CELL:") become TYPE values.
 * Values are kept escaped: vcard_text and vcard_split unescape, because
 * a structured value (N, ADR, ORG) must be split on its unescaped ';'
 * first. A file may hold any number of cards.
 *
 * Writing: vcard_put_line folds at 75 octets, never inside a UTF-8
 * character, and ends lines with CRLF; vcard_escape escapes \ ; , and
 * newlines as RFC 6350 section 3.4 says.
 */
#ifndef CRM_VCARD_H
#define CRM_VCARD_H

#include <stddef.h>
#include <stdio.h>

/* The longest logical (unfolded) line the reader accepts, in bytes. */
#define VCARD_LINE_MAX	(1024 * 1024)

struct vcard_param {
	char	*name;		/* upper case: "TYPE"; a bare 2.1 one: "TYPE" */
	char	*value;		/* as given, quotes removed: "work,voice" */
};

struct vcard_prop {
	char			*name;		/* upper case, group removed */
	struct vcard_param	*params;
	size_t			 nparams;
	char			*value;		/* UTF-8, still escaped */
	unsigned long		 line;		/* where it starts in the file */
	int			 bad_utf8;	/* the value was not UTF-8 */
};

struct vcard {
	int			 version;	/* 21, 30 or 40 */
	struct vcard_prop	*props;
	size_t			 nprops;
	unsigned long		 line;		/* of its BEGIN:VCARD */
};

struct vcard_reader;

/* Open a file for reading; NULL (error set, naming the file) on failure. */
struct vcard_reader *vcard_open(const char *path);
/* Read from a stream the caller owns; name is for messages. */
struct vcard_reader *vcard_open_stream(FILE *, const char *name);
/*
 * The next card: 0 and *out (free it with vcard_free), 1 at the end of the
 * file, -1 (error set: "FILE line N: reason") when the file is not a vCard
 * file or is broken (a BEGIN without END, a line without a colon...). An
 * error is final.
 */
int		 vcard_next(struct vcard_reader *, struct vcard **out);
void		 vcard_close(struct vcard_reader *);
void		 vcard_free(struct vcard *);

/*
 * The first property named name from index *from on (start with 0); NULL
 * when there is none. *from is left after the one returned.
 */
const struct vcard_prop *vcard_find(const struct vcard *, const char *name,
		    size_t *from);
/* A parameter's value, or NULL. */
const char	*vcard_param(const struct vcard_prop *, const char *name);
/* Whether the TYPE parameters of a property include type (any case). */
int		 vcard_has_type(const struct vcard_prop *, const char *type);
/* Unescape a text value (\n \N \\ \, \; \:). Returns a new string. */
char		*vcard_text(const char *value);
/*
 * Split a structured value on unescaped ';' and unescape each part:
 * *n parts (at least 1), NULL-terminated array; free with vcard_strings_free.
 */
char		**vcard_split(const char *value, size_t *n);
void		 vcard_strings_free(char **);

/* Escape text for a value: \ ; , and newlines (CRLF, CR, LF). New string. */
char		*vcard_escape(const char *text);
/*
 * Write one content line, folded at 75 octets on character boundaries,
 * ending in CRLF. Returns 0, or -1 (error set) if the stream has an error.
 */
int		 vcard_put_line(FILE *, const char *line);
/* Write NAME:escaped text (nothing if text is empty). */
int		 vcard_put_text(FILE *, const char *name, const char *text);
/* Write NAME:part;part;... each escaped (nothing if all are empty). */
int		 vcard_put_struct(FILE *, const char *name,
		    const char *const *parts, size_t n);

#endif
