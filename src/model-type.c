/*
 * model-type: the CRM's record types and their fields, the tables every
 * other part reads (the rights, the model's checks, the store's schema),
 * and looking them up by name. It needs nothing of crm's but errors
 * and memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

static const char *const task_status[] = {
	"open", "in-progress", "waiting", "done", "cancelled", NULL
};
static const char *const issue_status[] = {
	"open", "in-progress", "resolved", "closed", NULL
};
static const char *const campaign_status[] = {
	"planned", "active", "completed", "cancelled", NULL
};
static const char *const priorities[] = {
	"low", "normal", "high", "urgent", NULL
};
static const char *const stages[] = {
	"prospect", "qualified", "proposal", "negotiation", "won", "lost", NULL
};
static const char *const user_types[] = {
	"admin", "user", "remote", NULL
};

#define F(n, l, k)		{ n, l, k, 0, 0, NULL, NULL }
#define FREQ(n, l, k)		{ n, l, k, MODEL_REQUIRED, 0, NULL, NULL }
#define FREF(n, l, t)		{ n, l, MODEL_REF, 0, t, NULL, NULL }
#define FREFREQ(n, l, t)	{ n, l, MODEL_REF, MODEL_REQUIRED, t, NULL, NULL }
#define FCHOICE(n, l, c, d)	{ n, l, MODEL_CHOICE, 0, 0, c, d }
#define FBOOL(n, l, d)		{ n, l, MODEL_BOOL, 0, 0, NULL, d }
/* The fields added for what other tools export: on a record's screen only when set. */
#define FSPARE(n, l, k)		{ n, l, k, MODEL_SPARE, 0, NULL, NULL }

/*
 * Fields added after the first release (phone2, mobile on companies,
 * email2, region, postcode on contacts, title, birthday, uid) are plain
 * named fields like the others: the record encoding keeps fields a
 * program does not know, so an older crm carries them through unchanged.
 * uid is the UID of the vCard or iCalendar item a record came from, so
 * that importing the same card again updates it.
 */
/* New fields come last: a clerk's Tab order through a form stays. */
static const struct model_field company_fields[] = {
	FREQ("name", "Name", MODEL_TEXT),
	F("phone", "Phone", MODEL_TEXT),
	F("email", "Email", MODEL_EMAIL),
	F("website", "Website", MODEL_TEXT),
	F("address", "Street", MODEL_TEXT),
	F("postcode", "Postcode", MODEL_TEXT),
	F("city", "City", MODEL_TEXT),
	F("country", "Country", MODEL_TEXT),
	F("industry", "Industry", MODEL_TEXT),
	F("account_manager", "Account manager", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
	FSPARE("phone2", "Phone 2", MODEL_TEXT),
	FSPARE("mobile", "Mobile", MODEL_TEXT),
	FSPARE("email2", "Email 2", MODEL_EMAIL),
	FSPARE("region", "Region", MODEL_TEXT),
	FSPARE("uid", "UID elsewhere", MODEL_TEXT),
};

static const struct model_field contact_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	F("first_name", "First name", MODEL_TEXT),
	F("last_name", "Last name", MODEL_TEXT),
	F("job_title", "Job title", MODEL_TEXT),
	F("phone", "Phone", MODEL_TEXT),
	F("mobile", "Mobile", MODEL_TEXT),
	F("email", "Email", MODEL_EMAIL),
	F("address", "Street", MODEL_TEXT),
	F("city", "City", MODEL_TEXT),
	F("country", "Country", MODEL_TEXT),
	F("account_manager", "Account manager", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
	FSPARE("title", "Title (Dr., Ms.)", MODEL_TEXT),
	FSPARE("phone2", "Phone 2", MODEL_TEXT),
	FSPARE("email2", "Email 2", MODEL_EMAIL),
	FSPARE("postcode", "Postcode", MODEL_TEXT),
	FSPARE("region", "Region", MODEL_TEXT),
	FSPARE("birthday", "Birthday", MODEL_BIRTHDAY),
	FSPARE("uid", "UID elsewhere", MODEL_TEXT),
};

static const struct model_field note_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	FREQ("subject", "Subject", MODEL_TEXT),
	F("date", "Date", MODEL_DATE),
	F("text", "Text", MODEL_LONGTEXT),
};

static const struct model_field event_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	FREQ("subject", "Subject", MODEL_TEXT),
	FREQ("start", "Start", MODEL_DATE),
	F("end", "End", MODEL_DATE),
	F("location", "Location", MODEL_TEXT),
	F("assigned_to", "Assigned to", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
	FSPARE("uid", "UID elsewhere", MODEL_TEXT),
};

static const struct model_field task_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	FREQ("subject", "Subject", MODEL_TEXT),
	F("due", "Due", MODEL_DATE),
	FCHOICE("status", "Status", task_status, "open"),
	FCHOICE("priority", "Priority", priorities, "normal"),
	F("assigned_to", "Assigned to", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
	FSPARE("uid", "UID elsewhere", MODEL_TEXT),
};

static const struct model_field opportunity_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	FREQ("name", "Name", MODEL_TEXT),
	F("amount", "Amount", MODEL_NUMBER),
	FCHOICE("stage", "Stage", stages, "prospect"),
	F("probability", "Probability (%)", MODEL_INTEGER),
	F("close_date", "Expected close", MODEL_DATE),
	F("account_manager", "Account manager", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
};

static const struct model_field issue_fields[] = {
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	FREQ("subject", "Subject", MODEL_TEXT),
	FCHOICE("status", "Status", issue_status, "open"),
	FCHOICE("priority", "Priority", priorities, "normal"),
	F("assigned_to", "Assigned to", MODEL_USERID),
	F("description", "Description", MODEL_LONGTEXT),
};

static const struct model_field campaign_fields[] = {
	FREQ("name", "Name", MODEL_TEXT),
	F("start", "Start", MODEL_DATE),
	F("end", "End", MODEL_DATE),
	FCHOICE("status", "Status", campaign_status, "planned"),
	F("description", "Description", MODEL_LONGTEXT),
};

static const struct model_field target_fields[] = {
	FREFREQ("campaign", "Campaign", MODEL_CAMPAIGN),
	FREF("company", "Company", MODEL_COMPANY),
	FREF("contact", "Contact", MODEL_CONTACT),
	F("account_manager", "Account manager", MODEL_USERID),
	FBOOL("responded", "Responded", "no"),
	F("response_date", "Response date", MODEL_DATE),
	F("notes", "Notes", MODEL_LONGTEXT),
};

static const struct model_field document_fields[] = {
	FREFREQ("parent", "Attached to", MODEL_ANY),
	F("description", "Description", MODEL_TEXT),
	FREQ("filename", "File name", MODEL_TEXT),
	F("size", "Size", MODEL_INTEGER),
	F("hash", "SHA-256", MODEL_TEXT),
	F("mime", "Type", MODEL_TEXT),
};

static const struct model_field template_fields[] = {
	FREQ("name", "Name", MODEL_TEXT),
	F("description", "Description", MODEL_TEXT),
	F("filename", "File name", MODEL_TEXT),
	F("hash", "SHA-256", MODEL_TEXT),
};

static const struct model_field user_fields[] = {
	FREQ("login", "Login", MODEL_TEXT),
	FREQ("uid", "User ID", MODEL_TEXT),
	F("name", "Full name", MODEL_TEXT),
	FCHOICE("type", "Type", user_types, "user"),
	FBOOL("restricted", "Restricted", "no"),
	FBOOL("may_change_manager", "May change account manager", "no"),
	{ "password_hash", "Password hash", MODEL_TEXT,
	    MODEL_SECRET | MODEL_SYSTEM, 0, NULL, NULL },
};

#define T(n, l, p, f, c) { n, l, p, f, sizeof f / sizeof f[0], c }
static const struct model_type model_types[MODEL_NTYPES] = {
	T("user", "User", "users", user_fields,
	    "id,login,uid,name,type,restricted,may_change_manager"),
	T("company", "Company", "companies", company_fields,
	    "id,name,phone,email,city,country,account_manager"),
	T("contact", "Contact", "contacts", contact_fields,
	    "id,company,first_name,last_name,phone,email,account_manager"),
	T("note", "Note", "notes", note_fields,
	    "id,company,contact,date,subject"),
	T("event", "Event", "events", event_fields,
	    "id,company,contact,start,end,subject,assigned_to"),
	T("task", "Task", "tasks", task_fields,
	    "id,company,contact,due,status,priority,subject,assigned_to"),
	T("opportunity", "Opportunity", "opportunities", opportunity_fields,
	    "id,company,contact,name,amount,stage,account_manager"),
	T("issue", "Issue", "issues", issue_fields,
	    "id,company,contact,status,priority,subject,assigned_to"),
	T("campaign", "Campaign", "campaigns", campaign_fields,
	    "id,name,start,end,status"),
	T("target", "Target", "targets", target_fields,
	    "id,campaign,company,contact,account_manager,responded"),
	T("document", "Document", "documents", document_fields,
	    "id,parent,filename,size,description"),
	T("template", "Template", "templates", template_fields,
	    "id,name,filename,description"),
};

/*
 * The words a search finds (store.h, the words index): the fields a
 * person types to find a record, and the phone numbers, by their digits.
 * A record's company and contact are found by their own words
 * (src/search.c).
 */
const struct store_schema model_schema[MODEL_NTYPES] = {
	{ "users.db", { "login" }, { NULL }, { "uid" },
	    { "login", "uid", "name" }, { NULL } },
	{ "companies.db", { "name" }, { NULL }, { "account_manager" },
	    { "name", "email", "email2", "city" },
	    { "phone", "phone2", "mobile" } },
	{ "contacts.db", { "last_name", "first_name" }, { "company" },
	    { "account_manager" },
	    { "first_name", "last_name", "email", "email2", "city" },
	    { "phone", "mobile", "phone2" } },
	{ "notes.db", { "subject" }, { "company", "contact" }, { NULL },
	    { "subject" }, { NULL } },
	{ "events.db", { "start", "subject" }, { "company", "contact" },
	    { "assigned_to" }, { "subject", "location" }, { NULL } },
	{ "tasks.db", { "due", "subject" }, { "company", "contact" },
	    { "assigned_to" }, { "subject" }, { NULL } },
	{ "opportunities.db", { "name" }, { "company", "contact" },
	    { "account_manager" }, { "name" }, { NULL } },
	{ "issues.db", { "subject" }, { "company", "contact" },
	    { "assigned_to" }, { "subject" }, { NULL } },
	{ "campaigns.db", { "name" }, { NULL }, { NULL }, { "name" },
	    { NULL } },
	{ "targets.db", { NULL }, { "campaign", "company", "contact" },
	    { "account_manager" }, { NULL }, { NULL } },
	{ "documents.db", { "filename" }, { "parent" }, { NULL },
	    { "filename", "description" }, { NULL } },
	{ "templates.db", { "name" }, { NULL }, { NULL },
	    { "name", "description" }, { NULL } },
};

const char *const model_meta_fields[] = {
	"id", "created_at", "created_by", "modified_at", "modified_by", NULL
};

const struct model_type *
model_type(int type)
{
	if (type < 0 || type >= MODEL_NTYPES)
		fatal("model: no type %d", type);
	return &model_types[type];
}

int
model_type_find(const char *name)
{
	int	i;

	for (i = 0; i < MODEL_NTYPES; i++) {
		if (strcmp(model_types[i].name, name) == 0)
			return i;
	}
	error_set("\"%s\" is not a record type: the types are company, "
	    "contact, note, event, task, opportunity, campaign, target, issue, "
	    "document, template and user", name);
	return -1;
}

const struct model_field *
model_field_find(int type, const char *name)
{
	const struct model_type	*mt = model_type(type);
	size_t			 i;

	for (i = 0; i < mt->nfields; i++) {
		if (strcmp(mt->fields[i].name, name) == 0)
			return &mt->fields[i];
	}
	return NULL;
}

int
model_is_meta(const char *name)
{
	int	i;

	for (i = 0; model_meta_fields[i] != NULL; i++) {
		if (strcmp(model_meta_fields[i], name) == 0)
			return 1;
	}
	return 0;
}

int
model_is_field(int type, const char *name)
{
	const struct model_field	*mf;

	if (model_is_meta(name))
		return 1;
	mf = model_field_find(type, name);
	return mf != NULL && (mf->flags & MODEL_SECRET) == 0;
}

char *
model_field_list(int type)
{
	const struct model_type	*mt = model_type(type);
	char			*all = xstrdup(""), *tmp;
	size_t			 i;

	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].flags & (MODEL_SECRET | MODEL_SYSTEM))
			continue;
		xasprintf(&tmp, "%s%s%s", all, *all != '\0' ? ", " : "",
		    mt->fields[i].name);
		free(all);
		all = tmp;
	}
	return all;
}
