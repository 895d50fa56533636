# bench/cards.awk: N vCard 3.0 cards (awk -v n=N), as Google writes them:
# 1,024 names (32 first x 32 last, as crm demo has) so that a name has many
# contacts at 100,000 cards, 256 companies, a unique email and UID each.
BEGIN {
	split("Anna Ben Carla David Elena Felix Greta Hugo Ingrid Jonas Karin Lukas Marta Nils Olga Paul Zoë Søren Łukasz José Chloé Jürgen Ana Mehmet Sofia Tomás Ulla Viktor Wiebke Yusuf Agnès Björn", F, " ")
	split("Andersson Becker Costa Dubois Eriksen Fischer García Hansen Ivanova Jansen Kowalski Lindqvist Müller Novak Olsen Peeters Quist Rossi Schmidt Tanaka Ugarte Vogel Weber Ångström Østergaard Nuñez Brennan O'Neill Keller Moreau Horvath Lund", L, " ")
	split("Alpine Baltic Cedar Delta Evergreen Fjord Granite Harbour Iron Juniper Kestrel Lumen Meridian Nordic Orchard Pioneer", W, " ")
	for (i = 0; i < n; i++) {
		f = F[i % 32 + 1]; l = L[int(i / 32) % 32 + 1]
		printf "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c%d@bench.example\r\nFN:%s %s\r\nN:%s;%s;;;\r\n", i, f, l, l, f
		printf "ORG:%s %s GmbH\r\n", W[i % 16 + 1], W[int(i / 16) % 16 + 1]
		printf "EMAIL;TYPE=INTERNET;TYPE=WORK:%s.%s.%d@example.com\r\n", tolower(f), tolower(l), i
		printf "TEL;TYPE=WORK:+49 30 %07d\r\nTEL;TYPE=CELL:+49 170 %07d\r\n", i, i
		printf "ADR;TYPE=WORK:;;Hauptstraße %d;Berlin;;%05d;Germany\r\nEND:VCARD\r\n", i % 200 + 1, 10000 + i % 90000
	}
}
