/* demo: a master filled with realistic sample data, for trying and benchmarks. */
#ifndef CRM_DEMO_H
#define CRM_DEMO_H

/*
 * Create a master in dir (which must not hold a database) with the users
 * demo/demo (administrator) and a few field users, and about nrecords
 * records across every type. progress, if set, is told how far it got.
 * encrypt makes it an encrypted master, its key in DIR/master.key
 * (session_master_key).
 */
int	demo_create(const char *dir, unsigned long nrecords, int encrypt,
	    void (*progress)(unsigned long done, unsigned long total));

#endif
