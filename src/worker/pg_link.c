
/*
 * The worker's PostgreSQL connection.
 */


#include <stdlib.h>
#include <string.h>

#include "worker/log.h"
#include "worker/pg_link.h"


static void teams_pg_link_name(PGconn *conn, char *buf, size_t size);


void
teams_pg_link_init(teams_pg_link_t *link, const char *conninfo)
{
    memset(link, 0, sizeof(teams_pg_link_t));

    link->conninfo = conninfo;

    teams_backoff_init(&link->backoff, TEAMS_BACKOFF_MIN_MS,
                       TEAMS_BACKOFF_MAX_MS);
}


int
teams_pg_link_ready(teams_pg_link_t *link, uint64_t now)
{
    char         name[160], err[512];
    PGconn      *conn;
    unsigned     delay;
    const char  *keys[4], *values[4];

    if (link->conn != NULL) {
        return 1;
    }

    if (!teams_backoff_due(&link->backoff, now)) {
        return 0;
    }

    /*
     * Later keywords win, and the expanded "dbname" connection string comes
     * last: our connect_timeout applies only when the string sets none.
     */

    keys[0] = "connect_timeout";
    values[0] = TEAMS_PG_CONNECT_TIMEOUT;
    keys[1] = "application_name";
    values[1] = "teams-worker";
    keys[2] = "dbname";
    values[2] = link->conninfo;
    keys[3] = NULL;
    values[3] = NULL;

    conn = PQconnectdbParams(keys, values, 1);

    if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
        link->conn = conn;
        link->generation++;

        teams_pg_link_name(conn, name, sizeof(name));

        teams_log_info("postgres %s: connected%s", name,
                       link->backoff.failures ? " after retrying" : "");

        teams_backoff_reset(&link->backoff);
        return 1;
    }

    if (conn == NULL) {
        snprintf(name, sizeof(name), "(unknown)");
        snprintf(err, sizeof(err), "out of memory");

    } else {
        teams_pg_link_name(conn, name, sizeof(name));
        teams_pg_error_line(PQerrorMessage(conn), err, sizeof(err));
        PQfinish(conn);
    }

    delay = teams_backoff_failed(&link->backoff, now, (unsigned) random());

    teams_log_warn("postgres %s: cannot connect: %s; retry %u in %u.%03us",
                   name, err, link->backoff.failures, delay / 1000,
                   delay % 1000);

    return 0;
}


int
teams_pg_link_check(teams_pg_link_t *link)
{
    char       err[512];
    PGresult  *res;

    if (link->conn == NULL) {
        return -1;
    }

    res = PQexec(link->conn, "SELECT 1");

    if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        return 0;
    }

    if (res != NULL) {
        PQclear(res);
    }

    teams_pg_error_line(PQerrorMessage(link->conn), err, sizeof(err));
    teams_pg_link_fail(link, err);

    return -1;
}


void
teams_pg_link_fail(teams_pg_link_t *link, const char *why)
{
    char      name[160];
    unsigned  delay;

    if (link->conn != NULL) {
        teams_pg_link_name(link->conn, name, sizeof(name));

    } else {
        snprintf(name, sizeof(name), "(not connected)");
    }

    teams_pg_link_close(link);

    delay = teams_backoff_failed(&link->backoff, teams_now_ms(),
                                 (unsigned) random());

    teams_log_warn("postgres %s: %s; reconnecting in %u.%03us", name, why,
                   delay / 1000, delay % 1000);
}


void
teams_pg_link_close(teams_pg_link_t *link)
{
    if (link->conn != NULL) {
        PQfinish(link->conn);
        link->conn = NULL;
    }
}


const char *
teams_pg_error_line(const char *msg, char *buf, size_t size)
{
    size_t  i, n;
    int     space;

    if (size == 0) {
        return buf;
    }

    n = 0;
    space = 1;

    for (i = 0; msg != NULL && msg[i] != '\0' && n + 1 < size; i++) {
        if (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\n'
            || msg[i] == '\r')
        {
            if (!space) {
                buf[n++] = ' ';
                space = 1;
            }

            continue;
        }

        buf[n++] = msg[i];
        space = 0;
    }

    while (n > 0 && buf[n - 1] == ' ') {
        n--;
    }

    buf[n] = '\0';

    if (n == 0) {
        snprintf(buf, size, "unknown error");
    }

    return buf;
}


static void
teams_pg_link_name(PGconn *conn, char *buf, size_t size)
{
    const char  *host, *port, *db;

    /* host, port and database only: never the password */

    host = PQhost(conn);
    port = PQport(conn);
    db = PQdb(conn);

    snprintf(buf, size, "%s:%s/%s", host ? host : "?", port ? port : "?",
             db ? db : "?");
}
