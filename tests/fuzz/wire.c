/*
 * The sync protocol's frame decoder (wire.c): the greeting line, the
 * frames cut from a byte stream as they come (fed in pieces of varying
 * sizes, as a pipe hands them over) and the same bytes read from a file
 * descriptor as `crm serve` reads them; then each frame's payload read
 * with the getters in the order its reader in src/sync.c or
 * src/sync-master.c uses. Whatever the bytes, every reader ends in a
 * value or an error, and a payload read whole leaves nothing over.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "wire.h"

/*
 * The fields of each frame type: u a number, 1 a number at most 1, t a
 * record type (at most 255 here), n a count then that many numbers, s a
 * string, b a byte string, i an ID, r a record, ? a flag then a record
 * if it is set, * every byte left, one at a time.
 */
static const char *
fuzz_layout(int type)
{
	switch (type) {
	case WIRE_L_HELLO:
		return "usssuuuuuuus";
	case WIRE_L_UP:
		return "tr1";
	case WIRE_L_END:
		return "t";
	case WIRE_L_COMMIT:
		return "u";
	case WIRE_L_NEED:
		return "ti";
	case WIRE_M_HELLO:
		return "ssruu1uun";
	case WIRE_M_BUSY:
		return "s";
	case WIRE_M_ERROR:
		return "us";
	case WIRE_M_VERDICT:
		return "tiu?s";
	case WIRE_M_CONFLICT:
		return "tissssus";
	case WIRE_M_FEED:
		return "tr";
	case WIRE_M_LEFT:
		return "ti";
	case WIRE_M_RANGE:
		return "tii";
	case WIRE_M_DIGEST:
		return "tib";
	case WIRE_M_END:
		return "tn";
	case WIRE_M_READY:
		return "1";
	case WIRE_M_FILE:
	case WIRE_L_FILE:
		return "ti1";
	case WIRE_M_COMMITTED:
		return "uuu";
	default:
		return "*";
	}
}

static void
fuzz_payload(const struct wire_frame *f)
{
	struct wire_in		 in;
	struct record_id	 id;
	struct record		*r;
	const uint8_t		*p;
	const char		*l;
	char			*s;
	uint64_t		 v, n, k;
	unsigned int		 u8;
	size_t			 len;

	if (wire_type_name(f->type) == NULL)
		abort();
	wire_in_init(&in, f);
	for (l = fuzz_layout(f->type); *l != '\0'; l++) {
		switch (*l) {
		case 'u':
			if (wire_get_uint(&in, &v) != 0)
				return;
			break;
		case '1':
			if (wire_get_max(&in, 1, &v) != 0)
				return;
			if (v > 1)
				abort();
			break;
		case 't':
			if (wire_get_max(&in, 255, &v) != 0)
				return;
			break;
		case '*':
			while (in.off < f->len) {
				if (wire_get_u8(&in, &u8) != 0)
					abort();
			}
			break;
		case 'n':
			if (wire_get_max(&in, 64, &n) != 0)
				return;
			for (k = 0; k < n; k++) {
				if (wire_get_uint(&in, &v) != 0)
					return;
			}
			break;
		case 's':
			if (wire_get_str(&in, &s) != 0)
				return;
			if (strlen(s) > f->len)
				abort();
			free(s);
			break;
		case 'b':
			if (wire_get_bytes(&in, &p, &len) != 0)
				return;
			if (p < f->data || p + len > f->data + f->len)
				abort();
			break;
		case 'i':
			if (wire_get_id(&in, &id) != 0)
				return;
			break;
		case '?':
			if (wire_get_max(&in, 1, &v) != 0)
				return;
			if (v == 0)
				break;
			/* FALLTHROUGH */
		case 'r':
			if (wire_get_record(&in, &r) != 0)
				return;
			record_free(r);
			break;
		}
	}
	if (wire_in_end(&in) == 0 && in.off != f->len)
		abort();
	/* After one failure, every later call fails too. */
	if (in.bad && wire_get_uint(&in, &v) == 0)
		abort();
}

/* The stream fed in pieces; returns the number of frames read. */
static size_t
fuzz_stream(const uint8_t *data, size_t len)
{
	struct wire_reader	 rd;
	struct wire_frame	 f;
	size_t			 off = 0, piece, frames = 0;
	char			*line;
	int			 greeted = 0, version, ret;

	memset(&rd, 0, sizeof rd);
	for (piece = 1; off < len; off += piece, piece = piece % 97 + 7) {
		if (piece > len - off)
			piece = len - off;
		wire_reader_feed(&rd, data + off, piece);
		if (!greeted) {
			if ((ret = wire_reader_line(&rd, &line)) == 0)
				continue;
			if (ret == -1) {
				free(line);
				break;
			}
			wire_greeting_check(line, "fuzz", &version);
			free(line);
			greeted = 1;
		}
		while ((ret = wire_reader_next(&rd, &f)) == 1) {
			fuzz_payload(&f);
			wire_frame_free(&f);
			frames++;
		}
		if (ret == -1)
			break;
	}
	wire_reader_free(&rd);
	return frames;
}

/* The same bytes through a file descriptor, as crm serve reads them. */
static void
fuzz_fd(const uint8_t *data, size_t len)
{
	struct wire_reader	 rd;
	struct wire_frame	 f;
	char			*line;
	int			 fd, ret;

	fd = open(fuzz_file("wire", data, len), O_RDONLY);
	if (fd == -1)
		abort();
	memset(&rd, 0, sizeof rd);
	line = NULL;
	ret = wire_read_line(fd, &rd, &line);
	free(line);
	if (ret == 1) {
		while (wire_read_frame(fd, &rd, &f) == 1)
			wire_frame_free(&f);
	}
	wire_reader_free(&rd);
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_stream(data, len);
	fuzz_fd(data, len);
	return 0;
}
