/* demo: a master filled with realistic sample data, for trying and benchmarks. */
#ifndef CRM_DEMO_H
#define CRM_DEMO_H

/*
 * Create a master in dir (which must not hold a database) with the users
 * demo/demo (administrator) and a few field users, and about nrecords
 * records across every type. progress, if set, is told how far it got.
 */
int	demo_create(const char *dir, unsigned long nrecords,
	    void (*progress)(unsigned long done, unsigned long total));

#endif
