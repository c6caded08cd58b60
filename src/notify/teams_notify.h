
/*
 * Activity-feed notifications, the pure parts shared by the worker and the
 * tests: Teams category -> manifest activity type, the preview text, the
 * deep link (through the one link resolver, src/psa/teams_links.h), the
 * Graph sendActivityNotification body, and how a Graph answer becomes an
 * outcome (psa-schema.md section 7 error codes) with a retry delay.
 */


#ifndef _TEAMS_NOTIFY_H_INCLUDED_
#define _TEAMS_NOTIFY_H_INCLUDED_


#include <stddef.h>

#include "psa/teams_links.h"


/* Graph shows 150 characters of previewText.content */
#define TEAMS_NOTIFY_PREVIEW_MAX    150
/* a user report says Graph refuses a topic.webUrl over ~1024 characters */
#define TEAMS_NOTIFY_WEBURL_MAX     1023
/* manifest templateText parameters are short: keep the title readable */
#define TEAMS_NOTIFY_TITLE_MAX      120
#define TEAMS_NOTIFY_NCATEGORIES    5


/* the five categories in a fixed order, for cards and loops */
extern const char *const  teams_notify_categories[TEAMS_NOTIFY_NCATEGORIES];

/* "assignment" -> "assignmentCreated", ...; NULL when unknown */
const char *teams_notify_activity_type(const char *category);

/* "assignment" -> "Assignments", ...; NULL when unknown */
const char *teams_notify_category_label(const char *category);

/*
 * At most max characters (code points) of s, cut on a UTF-8 boundary and
 * ended with an ellipsis when cut; blanks (CR, LF, tabs) become spaces.
 * Returns the bytes written (NUL-terminated); buf must hold 4 * max + 1.
 */
size_t teams_notify_clip(char *buf, size_t size, const char *s, size_t max);

/* number of code points in a UTF-8 string */
size_t teams_notify_chars(const char *s);

/*
 * The record behind a PSA link ("/msp/tickets/<id>#comment-..",
 * "https://psa/msp/projects/<p>?phaseId=..&taskId=<t>",
 * "/msp/time-sheet-approvals?approvalId=<id>", "/msp/time-entry?entryId=",
 * "/msp/contacts/<id>").  id and extra get 37 bytes each.  Returns the
 * kind, or TEAMS_TARGET_NONE.
 */
teams_target_e teams_notify_link_target(const char *link, char *id,
    char *extra);

/*
 * The topic.webUrl: the Teams deep link to the tab entity for the record
 * of link (ticket_id from the metadata as a fallback), else the deep link
 * to the tab's home; always under TEAMS_NOTIFY_WEBURL_MAX.  Returns its
 * length, 0 when even the home link cannot be built (no app id).
 */
size_t teams_notify_web_url(char *buf, size_t size, const teams_links_t *l,
    const char *link, const char *ticket_id);


typedef struct {
    const char  *category;
    const char  *title;
    const char  *message;
    const char  *web_url;
} teams_notify_msg_t;

/*
 * The JSON body of POST /v1.0/users/{id}/teamwork/sendActivityNotification:
 * {"topic":{"source":"text","value":<title>,"webUrl":<deep link>},
 *  "activityType":<type>,"previewText":{"content":<message, 150 chars>},
 *  "templateParameters":[{"name":"title","value":<title>}]}
 * malloc()ed, NUL-terminated; NULL on failure or unknown category.
 */
char *teams_notify_graph_body(const teams_notify_msg_t *m, size_t *len);


typedef enum {
    TEAMS_NOTIFY_SENT = 0,
    TEAMS_NOTIFY_RETRY,         /* retryable failure: try again later */
    TEAMS_NOTIFY_FAILED         /* final failure */
} teams_notify_result_e;


typedef struct {
    teams_notify_result_e   result;
    const char             *error_code;     /* psa-schema section 7, or NULL */
    char                    message[768];   /* readable reason */
    unsigned                forget_token:1; /* a 401: fetch a new token */
} teams_notify_outcome_t;

/*
 * Classifies a Graph answer: status (0 = no answer, transport failure or
 * timeout, with why), the response body (Graph's {"error":{code,message}}
 * is quoted in the message, clipped).
 */
void teams_notify_classify(long status, const char *why, const char *body,
    size_t len, teams_notify_outcome_t *out);

/*
 * Delay before attempt (attempt + 1) after a retryable failure: the
 * Retry-After seconds when given (at most max_ms), else exponential
 * backoff base_ms * 2^(attempt-1) capped at max_ms, with full jitter in
 * [d/2, d] from rnd.
 */
unsigned teams_notify_backoff_ms(unsigned attempt, long retry_after_s,
    unsigned base_ms, unsigned max_ms, unsigned rnd);


#endif /* _TEAMS_NOTIFY_H_INCLUDED_ */
