/*
 * screens: the entry points of crm's screen families, each family in its
 * own screens/screen-*.c, and the application that puts them together
 * (screens/screens.c). The framework they run on is tui.h; the widgets
 * they share are list.h, fieldset.h and prompt.h; what several of them do
 * to a record (open it, edit it, delete it) is actions.h.
 */
#ifndef CRM_SCREENS_H
#define CRM_SCREENS_H

#include "list.h"
#include "record.h"
#include "tui.h"

/*
 * The application (screens/screens.c): the login, then home (the main
 * screen); help and undo over every screen. Returns crm's exit status.
 */
int	 screens_main(const struct tui_options *);

/* Login (screen-login.c). */
extern const struct screen_ops screen_login;
/*
 * The login screen (the list of databases, then a login); home takes its
 * place once logged in.
 */
void	 screen_login_open(const struct screen_ops *home);
/*
 * Run then(arg) with the password kept for the master (app.s.password):
 * at once if it is, else once it is asked for, with why (what wants it:
 * "Synchronize") in the title, and checked (a session logged in from the
 * keyring has none). Cancelled or wrong, then is not run, and the
 * message says why.
 */
void	 screen_login_password(const char *why, void (*then)(void *),
	    void *arg);

/* The main screen: one tab per kind of record (screen-main.c). */
extern const struct screen_ops screen_main;

/* Help: the keys of the screen below (screen-help.c). */
extern const struct screen_ops screen_help;
void	 screen_help_open(const struct screen *);
/* F1 or ?: the help of the screen on top, or away again (tui_global). */
void	 screen_help_key(struct screen *);

/* A record and its linked records (screen-record.c, screen-read.c). */
extern const struct screen_ops screen_record;
/*
 * The record screen itself, whatever the type (campaigns included);
 * screen_record_open (actions.h) opens it, or a campaign's.
 */
void	 screen_record_show(int type, const struct record_id *);
/* A long text in full, wrapped and scrolled; o hands it to $PAGER. */
extern const struct screen_ops screen_read;
void	 screen_read_open(const char *title, const char *text);

/* Forms and choosing a record for a field (screen-form.c). */
extern const struct screen_ops screen_form;
extern const struct screen_ops screen_pick;
/* A form: a new record (id NULL) or an edit; screen_form_open opens it. */
void	 screen_form_show(int type, const struct record_id *id,
	    const struct record *defaults);
/*
 * Just logged in: a form this user was typing in when crm was stopped
 * (draft.h) is offered, to resume or discard.
 */
void	 screen_form_offer_draft(void);
/*
 * Choose a record of type (a user for MODEL_USER) whose name starts with
 * start; done is called with the choice (NULL: cancelled).
 */
void	 screen_pick_open(int type, const char *start,
	    void (*done)(void *arg, const struct record *), void *arg);
/* The same among the records linked to in (a company's contacts). */
void	 screen_pick_open_in(int type, const char *start,
	    const struct record_id *in, const char *in_name,
	    void (*done)(void *arg, const struct record *), void *arg);
/*
 * screen_pick_open for a chain whose state is arg: release(arg) frees it
 * when the choice is gone (after done if a record was chosen).
 */
void	 screen_pick_chain(int type, const char *start,
	    void (*done)(void *arg, const struct record *), void *arg,
	    void (*release)(void *arg));

/* Campaigns (screen-campaign.c). */
extern const struct screen_ops screen_campaign;
extern const struct screen_ops screen_campaign_pick;
/*
 * A campaign (type MODEL_CAMPAIGN): its fields, counts and targets;
 * screen_record_open opens it for a campaign.
 */
void	 screen_campaign_show(int type, const struct record_id *);

/* Documents, letters and templates (screen-docs.c, screen-letter.c, ...). */
extern const struct screen_ops screen_templates;
/*
 * The document keys, actions of their own (tui.h: A_SCREEN and up) that
 * the record screen, the templates and a long text read bind, and
 * screen_docs_record_key handles; a screen that binds them numbers its
 * other actions from A_DOCS_END.
 */
#define A_ATTACH	(A_SCREEN + 0)	/* a file to the record */
#define A_VIEW_FILE	(A_SCREEN + 1)	/* in $PAGER, or with run-mailcap */
#define A_SAVE_COPY	(A_SCREEN + 2)	/* a copy elsewhere */
#define A_LETTER	(A_SCREEN + 3)	/* to a contact, from a template */
#define A_DOCS_END	(A_SCREEN + 4)
/*
 * The record screen's document and letter keys: a attaches a file to the
 * record, o opens a document, w saves a copy of it, e edits its
 * description, L writes a letter to a contact. type and r are the
 * record shown; pane_type the type of the pane with the focus (-1: the
 * fields) and sel its selected record. 1 if the key was handled.
 */
int	 screen_docs_record_key(int type, const struct record *r,
	    int pane_type, const struct record *sel, enum action);
/* L on a contact: a letter from a template, recorded as a note. */
void	 screen_letter_write(const struct record *contact);
/* The list of letter templates (T on the main screen). */
void	 screen_templates_open(void);

/* Calendar agenda, tasks and pipeline (screen-agenda.c, ...). */
extern const struct screen_ops screen_agenda;
extern const struct screen_ops screen_pipeline;
/* The agenda of today; mine: only events assigned to this user ("": all). */
void	 screen_agenda_open(const char *mine);
/* Opportunities by stage; mine: only those this user manages. */
void	 screen_pipeline_open(const char *mine);
/*
 * x on a task (tasks.c): done, or open again if it was done (model_update,
 * so sync carries it). 0 when changed (message set), -1 with the error
 * shown.
 */
int	 tasks_toggle_done(const struct record *task);

/* The deleted records this user may bring back (screen-deleted.c). */
extern const struct screen_ops screen_deleted;
void	 screen_deleted_open(void);

/* Settings and users (screen-settings.c, screen-users.c). */
extern const struct screen_ops screen_settings;
extern const struct screen_ops screen_users;
extern const struct screen_ops screen_user_form;
/* The settings screen (main screen O). */
void	 screen_settings_open(void);
/* The list of users (U): refused with the reason for non-administrators. */
void	 screen_users_open(void);

/* Sync and conflicts (screen-sync.c, screen-conflicts.c). */
extern const struct screen_ops screen_sync;
extern const struct screen_ops screen_conflicts;
/* The sync screen; on a master, a message why not (RULES S1). */
void	 screen_sync_open(void);
/* The conflict log, newest first. */
void	 screen_conflicts_open(void);
/*
 * Why a sync cannot run in this database (the help shows it beside the
 * key), or NULL when it can.
 */
const char *screen_sync_unavailable(void);

/* Import and export (screen-io.c). */
extern const struct screen_ops screen_export;
extern const struct screen_ops screen_import;
/* Export a list as it is shown (tab: its label, for the screen). */
void	 screen_export_open(const struct list *, const char *tab);
/* Import contacts: a file, a preview, a report. Other types: a message. */
void	 screen_import_open(int type);

#endif
