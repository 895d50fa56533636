/*
 * tasks: x marks a task done, or open again, wherever a task is under the
 * cursor (the Tasks tab, a task's record, a Tasks pane). The change goes
 * through model_update like any edit, so it is stamped, checked and
 * carried by sync.
 */
#include "config.h"

#include <stdlib.h>

#include "agenda.h"
#include "model.h"
#include "record.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "undo.h"

int
tasks_toggle_done(const struct record *task)
{
	struct model_change	 ch;
	struct store_txn	*t;
	char			*name;
	int			 ret;

	ch.name = "status";
	ch.value = agenda_task_toggled(task);
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	if (undo_update(t, MODEL_TASK, &task->id, &ch, 1) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return -1;
	}
	tui_unit(0);
	name = model_record_name(MODEL_TASK, task, MODEL_NAME_SCREEN);
	tui_message(0, "task \"%s\" is %s", name, *ch.value == 'd' ? "done" :
	    "open again");
	free(name);
	tui_status_reload();
	return 0;
}
