
/*
 * The filters of GET /api/teams/admin/deliveries, checked in plain C so
 * that nothing the administrator sends reaches PostgreSQL unchecked (a
 * bad timestamp would otherwise be a 500 from a failed cast): RFC 3339
 * timestamps, the keyset cursor, the page size.
 */


#ifndef _TEAMS_NOTIFY_FILTER_H_INCLUDED_
#define _TEAMS_NOTIFY_FILTER_H_INCLUDED_


#include <stddef.h>


#define TEAMS_NOTIFY_PAGE_DEFAULT   50
#define TEAMS_NOTIFY_PAGE_MAX       200
/* "<microseconds since the epoch>_<delivery id>" */
#define TEAMS_NOTIFY_CURSOR_MAX     (20 + 1 + 36)


/* the delivery statuses of psa-schema.md section 7, NULL-ended */
extern const char *const  teams_notify_statuses[];

/*
 * An RFC 3339 date-time with its offset: YYYY-MM-DDTHH:MM:SS[.f{1,6}]
 * followed by Z or +HH:MM / -HH:MM ('t', 'z' and a space for 'T' too).
 * Checks the calendar (days of the month, leap years).  1 when valid.
 */
int teams_notify_rfc3339(const char *s, size_t len);

/*
 * The cursor of the next page: "<us>_<uuid>".  Splits it into us (digits,
 * NUL-terminated, 21 bytes) and id (37 bytes, lower-cased).  0 or -1.
 */
int teams_notify_cursor_parse(const char *s, size_t len, char *us,
    char *id);

/* a page size "1".."200"; -1 when not */
int teams_notify_page_size(const char *s, size_t len);


#endif /* _TEAMS_NOTIFY_FILTER_H_INCLUDED_ */
