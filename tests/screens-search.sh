#!/bin/sh
# Search inside words in the screens, at 80x24: "/" finds text in the
# middle of a word ("ogist" in Logistics, "mann" in Hoffmann), by a
# contact's own words or its company's, and n and N go through the
# matches; what is written is found at once.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

S=$(mktemp -d /tmp/crm-search.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S
M=$S/m
make_master "$M"
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
BALTIC=$(add company name="Baltic Logistics AB" city=Göteborg)
HOFF=$(add company name="Hoffmann Maschinenbau" city=Graz)
add company name="Zenith Foods" city=Porto >/dev/null
add contact first_name=Jörg last_name=Hoffmann company="$HOFF" >/dev/null
add contact first_name=Anna last_name=Mann company="$BALTIC" >/dev/null
add contact first_name=Søren last_name=Østergaard company="$BALTIC" >/dev/null
add contact first_name=Eve last_name=Lee company="$HOFF" >/dev/null

tm_start s 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait s '@1=^ Companies, by name A-Z$'
# Inside a company's name, letter by letter.
tm_keys s /
tm_type s ogist
tm_wait s '@1=^ Search: ogist$' '@3=^Baltic Logistic' '@4=^$'
tm_keys s C-u
tm_type s SCHINEN
tm_wait s '@1=^ Search: SCHINEN$' '@3=^Hoffmann Maschi' '@4=^$'
tm_keys s Escape
# Contacts: "mann" at a word's start (Mann) and inside one (Hoffmann),
# and Eve Lee by her company's name.
tm_keys s 2
tm_wait s '@2=^Last name +First name +Company '
tm_keys s /
tm_type s mann
tm_wait s '@1=^ Search: mann$' '@3=^Hoffmann +Jörg ' '@4=^Lee +Eve +Hoffmann' \
    '@5=^Mann +Anna ' '@6=^$'
# Without accents, inside a word; by the company's name, inside it.
tm_keys s C-u
tm_type s sterga
tm_wait s '@3=^Østergaard +Søren ' '@4=^$'
tm_keys s C-u
tm_type s gistic
tm_wait s '@3=^Mann +Anna ' '@4=^Østergaard +Søren ' '@5=^$'
# Enter keeps it; n and N go round its matches.
tm_keys s Enter
tm_wait s '@1=^ Contacts, by name A-Z, matching "gistic"$'
tm_keys s n
tm_keys s n
tm_wait s '@-1=^search wrapped to the first match$'
tm_keys s N
tm_wait s '@-1=^search wrapped to the last match$'
tm_keys s q y
expect_eq "$(tm_exit s)" 0

# Written from the command line while nothing is open: found inside.
add company name="Kesselring Optics" >/dev/null
tm_start t 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait t '@1=^ Companies, by name A-Z$'
tm_keys t /
tm_type t sselr
tm_wait t '@3=^Kesselring Opti' '@4=^$'
tm_keys t Escape
# Written in the screens: found inside at once.
tm_keys t n
tm_wait t '@0=^ New company'
tm_type t "Unterwasserbau Süd"
tm_keys t F2
tm_wait t '@-1=^saved company'
tm_keys t q
tm_wait t '@1=^ Companies, by name A-Z$'
tm_keys t /
tm_type t wasser
tm_wait t '@3=^Unterwasserbau ' '@4=^$'
tm_keys t Escape
# The help says so.
tm_keys t F1
tm_wait t '^  / +search as you type, inside words too: names'
tm_keys t q
tm_wait t '@1=^ Companies, by name A-Z$'
tm_keys t q y
expect_eq "$(tm_exit t)" 0
finish
