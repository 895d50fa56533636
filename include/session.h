/*
 * session: one person working in one database, for both faces: the
 * screens keep one for their whole run, and the command line's struct
 * cli holds one for a command (include/cli.h), opened and logged in by
 * the same functions where the two faces open alike.
 *
 * A LOCAL stays open for the whole session. A MASTER is attached for
 * units of work (a page read, a save) and let go as soon as the screen is
 * idle (DESIGN.md, "Opening databases"), so a sync or another session is
 * never kept out by someone idle at a prompt: the screens hold it through
 * a burst of keys (session_hold), since attaching is most of what a key
 * costs, and let go when no key came for a moment or after a few seconds
 * of holding, whichever is first (tui.c). While another
 * process holds the master, session_begin fails with SESSION_BUSY and the
 * error names the holder and since when; the caller says so and retries.
 * A command of the command line opens either for the whole command
 * (cli_open), waiting up to master.wait_seconds for a master.
 *
 * The screens never touch Berkeley DB: they read and write through a
 * session's transactions and the model.
 */
#ifndef CRM_SESSION_H
#define CRM_SESSION_H

#include <stdint.h>

#include "store.h"
#include "user.h"
#include "vault.h"

#define SESSION_BUSY	3	/* the master is held by another process */

struct session {
	char		*dir;
	char		*name;		/* db.name, else the directory's name */
	enum store_role	 role;
	struct user	 user;
	int		 logged_in;
	char		*password;	/* kept to log in to the master at a sync
					   (NULL: logged in from the keyring) */
	int		 wait_seconds;	/* master.wait_seconds, for writes */
	struct store	*st;		/* a local's; a master's while attached */
	int		 attached;	/* units of work under way */
	int		 holding;	/* session_hold: keep it between units */
	double		 attached_at;	/* when the master was attached (ms) */
};

/*
 * The role of the database in dir from its crm.conf (which is loaded with
 * the configuration levels above it). -1 (error set) if dir is not a crm
 * database.
 */
int	 session_role(const char *dir, enum store_role *);
/*
 * What session_role found and did in a local that the user should hear
 * of (a crm encrypt that was stopped there: finished, or its copy
 * removed), once; NULL when nothing. The command line prints it on
 * stderr, the screens show it.
 */
const char *session_notice(void);
/*
 * The first line of a password file, without its newline; NULL (error
 * set) if it cannot be read or is empty.
 */
char	*session_password_file(const char *path);
/*
 * A password given without asking, as both faces take it: the first line
 * of password_file when one is named, else $CRM_PASSWORD. NULL when
 * neither is given, or (error set) when the file cannot be read.
 */
char	*session_password_given(const char *password_file);
/* Open dir: a local's store is opened, a master is only checked. */
int	 session_open(struct session *, const char *dir);
/*
 * Check login and password (wrong ones get the same message) and the
 * right to work in this database; the user is then s->user.
 */
int	 session_login(struct session *, const char *login,
	    const char *password);
void	 session_close(struct session *);
/* Whether the database is an encrypted local (vault.h). Cannot fail. */
int	 session_encrypted(const struct session *);
/*
 * Log in to an encrypted local as login with the key its user unlocked
 * in this login session, kept in the session keyring (vault.h): no
 * password is asked, nor kept (s->password stays NULL: ask for it with
 * session_set_password before a sync). 0 when logged in; 1 when the key
 * is not kept there (nor is this an encrypted local): ask for the
 * password; -1 with the error set (another user's local).
 */
int	 session_login_kept(struct session *, const char *login);
/*
 * Only an encrypted local's own user holds the password that opens it:
 * -1 (error set, refusing login) if the local is another's, else 0.
 */
int	 session_owner(const struct session *, const char *login);
/*
 * The data key of the encrypted local s for login (its owner alone):
 * with password, opened from the key file (a wrong one refused, saying
 * what a forgotten one means) and kept in the session keyring for
 * security.unlock_minutes; with NULL, from the keyring, 1 when it holds
 * none. 0 with key set, or -1 with the error set.
 */
int	 session_key(struct session *, const char *login,
	    const char *password, uint8_t key[VAULT_KEY_SIZE]);
/*
 * Find login in the local s->st that its key opened (the key's seal
 * checked the password already, and yescrypt would only add its cost)
 * and check the right to work there: the user is then *u. 0, or -1 with
 * the error set (a login it lacks is refused as a wrong password).
 */
int	 session_login_unlocked(struct session *, const char *login,
	    struct user *u);
/* Wipe and forget the password kept for the master. */
void	 session_forget(struct session *);
/*
 * Keep the password for the master (a sync, a new db.master), after
 * session_login_kept: an encrypted local checks it first with its key
 * file, refusing a wrong one as a wrong login.
 */
int	 session_set_password(struct session *, const char *password);

/*
 * A unit of work: attach (a master: wait up to wait seconds, 0 for
 * reads that must not block the screen) and begin a transaction.
 * Returns 0, SESSION_BUSY or -1, with the error set.
 */
int	 session_begin(struct session *, int wait, struct store_txn **);
/* Commit (or abort when commit is 0) and let a master go. */
int	 session_end(struct session *, struct store_txn *, int commit);
/*
 * Keep a master, once a unit has attached it, until session_release:
 * the units of one key (a page read, the status line) share one attach,
 * and a key that reads nothing attaches nothing.
 */
void	 session_hold(struct session *);
void	 session_release(struct session *);
/* Milliseconds the master has been attached (0: it is not). */
double	 session_held_ms(const struct session *);

/*
 * For the status line: records changed here and not yet synced (up to
 * limit, then limit), and the master's time of the last sync in
 * milliseconds (0: never). A master has neither.
 */
int	 session_pending(struct session *, struct store_txn *,
	    uint64_t limit, uint64_t *count, uint64_t *last_sync_ms);

/*
 * Create a master in dir with its first administrator (crm init --master,
 * and the first run of the screens). key_file NULL makes a plain master;
 * else the master is encrypted, its key in a new key file key_file
 * (relative to dir, or absolute: vault_master_create), which its crm.conf
 * names.
 */
int	 session_create_master(const char *dir, const char *name,
	    const char *admin, const char *uid, const char *fullname,
	    const char *password, const char *key_file);
/*
 * The key of a new encrypted master, before its files: a new key file
 * key_file for master_id (vault_master_create), given to store_set_key,
 * in dir (made 0700 if missing; it must not hold a database).
 */
int	 session_master_key(const char *dir, const char *key_file,
	    const char *master_id);
/*
 * The database used without -d: general.default_database, else the
 * embedded one under $XDG_DATA_HOME/crm/default.
 */
const char *session_default_dir(void);

#endif
