/*
 * prompt (screens/prompt.c): one line of text asked for under the screen
 * below (a path, a description, a password).
 */
#ifndef CRM_PROMPT_H
#define CRM_PROMPT_H

#include "tui.h"

extern const struct screen_ops screen_prompt;
extern const struct screen_ops screen_prompt_path;
/*
 * Ask for one line of text under the screen below: title says what for,
 * label names the text. With paths set, Tab completes file names (and
 * shows the candidates when several fit). done gets the text, or NULL if
 * Esc cancelled; it is called after the prompt is gone, so it may open
 * another screen.
 */
void	 screen_prompt_open(const char *title, const char *label,
	    const char *initial, int paths,
	    void (*done)(void *arg, const char *text), void *arg);
/*
 * screen_prompt_open for a chain of prompts whose state is arg: release
 * (arg) frees it if the prompt goes unanswered (crm ends with it open);
 * answered or cancelled, done has it.
 */
void	 screen_prompt_chain(const char *title, const char *label,
	    const char *initial, int paths,
	    void (*done)(void *arg, const char *text), void *arg,
	    void (*release)(void *arg));
/* screen_prompt_open for a password: shown as stars, wiped once given. */
void	 screen_prompt_secret(const char *title, const char *label,
	    void (*done)(void *arg, const char *text), void *arg);

#endif
