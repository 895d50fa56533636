/*
 * actions (screens/actions.c): what several screens do to a record:
 * open its screen, open its form, delete it, name a campaign's target.
 */
#ifndef CRM_ACTIONS_H
#define CRM_ACTIONS_H

struct record;
struct record_id;

/*
 * The screens that show a record and its form, registered by the
 * application before it starts (screens_main): show for records of type,
 * or of every type without one of its own (type -1).
 */
void	 screen_record_register(int type,
	    void (*show)(int type, const struct record_id *));
void	 screen_form_register(void (*show)(int type, const struct record_id *,
	    const struct record *defaults));
/* Open a record's screen (a campaign's shows its targets). */
void	 screen_record_open(int type, const struct record_id *);
/* Open a form: a new record (id NULL) or an edit. */
void	 screen_form_open(int type, const struct record_id *id,
	    const struct record *defaults);
/*
 * Delete a record: refused with the reason before anything is asked
 * (rights, linked records, by name), else after a confirmation. 0 when
 * deleted (message set), -1 with the message shown.
 */
int	 screen_delete(int type, const struct record *);
/* "Bea Keller (Acme GmbH)": a target as a person names it. Free it. */
char	*screen_target_name(const struct record *);

#endif
