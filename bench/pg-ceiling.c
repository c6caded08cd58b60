
/*
 * bench/pg-ceiling: the module's own statement for a bench case, run
 * straight against PostgreSQL from C by CLIENTS processes for SECONDS,
 * with no nginx, no HTTP and no token: the most requests per second any
 * front end could get from this database on this machine for that work.
 * bench/run.sh prints it next to the module and botbuilder figures.
 *
 *   pg-ceiling CONNINFO search|note SECONDS CLIENTS
 *   pg-ceiling --sql caller|search|note
 *
 * The demo ids come from the environment (sql/seed/demo-ids.env).  The
 * second form prints a statement, for bench/botbuilder to run the very
 * same SQL as the module.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <libpq-fe.h>

#include "ngx_teams_action_sql.h"


#define MAX_CLIENTS  64
#define SEARCH_SQL   NGX_TEAMS_SQL_SEARCH_ONE(NGX_TEAMS_SQL_HITS_TICKET)


static const char *
env(const char *name)
{
    const char  *v = getenv(name);

    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "pg-ceiling: %s is not set\n", name);
        exit(2);
    }

    return v;
}


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* one client: runs the statement until the deadline; returns the count */
static long
client(const char *conninfo, const char *which, double until, int id)
{
    int          n;
    long         count;
    char         key[96];
    PGconn      *conn;
    PGresult    *res, *tickets;
    const char  *sql, *params[16];

    /* as the module's sessions run them (see ngx_teams_pg.c) */
    setenv("PGOPTIONS", "-c plan_cache_mode=force_generic_plan", 1);

    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "pg-ceiling: %s", PQerrorMessage(conn));
        return -1;
    }

    params[0] = env("PSA_TENANT_A");
    params[1] = env("TECH_USER_ID_A");

    if (strcmp(which, "search") == 0) {
        /* the caller's context is cached in the module: not repeated */
        sql = SEARCH_SQL;
        params[2] = "{ticket:read,project_task:read,contact:read}";
        params[3] = "TIC";
        params[4] = "10";
        params[5] = "0";
        n = 6;

    } else {
        sql = NGX_TEAMS_SQL_NOTE;
        params[2] = "ticket";
        params[3] = "update";
        params[4] = "add_note";
        params[5] = "";
        params[6] = "";
        params[7] = key;
        params[8] = "quick_action";
        params[9] = env("TECH_AAD_OID_A");
        params[10] = "bench";
        params[11] = "add_note";
        params[12] = NULL;
        params[13] = "bench note";
        params[14] = "true";
        params[15] = NULL;
        n = 16;
    }

    res = PQprepare(conn, "s", sql, n, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pg-ceiling: %s", PQerrorMessage(conn));
        PQclear(res);
        PQfinish(conn);
        return -1;
    }

    PQclear(res);

    /* notes go round the tenant's tickets, as the bench's requests do */
    tickets = PQexecParams(conn, "SELECT ticket_id FROM tickets"
                           " WHERE tenant = $1", 1, NULL, params, NULL,
                           NULL, 0);
    if (PQresultStatus(tickets) != PGRES_TUPLES_OK
        || PQntuples(tickets) == 0)
    {
        fprintf(stderr, "pg-ceiling: no tickets: %s", PQerrorMessage(conn));
        PQclear(tickets);
        PQfinish(conn);
        return -1;
    }

    for (count = 0; now() < until; count++) {
        snprintf(key, sizeof(key), "add_note:ceiling:%d:%ld:%ld", id,
                 (long) getpid(), count);

        if (n == 16) {
            params[12] = PQgetvalue(tickets,
                                    (count + id) % PQntuples(tickets), 0);
        }

        res = PQexecPrepared(conn, "s", n, params, NULL, NULL, 0);
        /* the search answers its hits, a note one row */
        if (PQresultStatus(res) != PGRES_TUPLES_OK
            || (n == 16 && PQntuples(res) != 1))
        {
            fprintf(stderr, "pg-ceiling: %s", PQerrorMessage(conn));
            PQclear(res);
            PQclear(tickets);
            PQfinish(conn);
            return -1;
        }

        PQclear(res);
    }

    PQclear(tickets);
    PQfinish(conn);

    return count;
}


int
main(int argc, char **argv)
{
    int      i, clients, fds[2], status;
    long     count, total;
    double   seconds, start, until;
    pid_t    pids[MAX_CLIENTS];

    if (argc == 3 && strcmp(argv[1], "--sql") == 0) {
        if (strcmp(argv[2], "caller") == 0) {
            puts(NGX_TEAMS_SQL_CALLER);

        } else if (strcmp(argv[2], "search") == 0) {
            puts(SEARCH_SQL);

        } else if (strcmp(argv[2], "note") == 0) {
            puts(NGX_TEAMS_SQL_NOTE);

        } else {
            fprintf(stderr, "pg-ceiling: no statement \"%s\"\n", argv[2]);
            return 2;
        }

        return 0;
    }

    if (argc != 5 || (strcmp(argv[2], "search") != 0
                      && strcmp(argv[2], "note") != 0))
    {
        fprintf(stderr, "usage: pg-ceiling CONNINFO search|note SECONDS "
                "CLIENTS\n       pg-ceiling --sql caller|search|note\n");
        return 2;
    }

    seconds = atof(argv[3]);
    clients = atoi(argv[4]);

    if (seconds <= 0 || clients < 1 || clients > MAX_CLIENTS
        || pipe(fds) != 0)
    {
        fprintf(stderr, "pg-ceiling: bad arguments\n");
        return 2;
    }

    start = now();
    until = start + seconds;

    for (i = 0; i < clients; i++) {
        pids[i] = fork();

        if (pids[i] == 0) {
            close(fds[0]);
            count = client(argv[1], argv[2], until, i);
            if (write(fds[1], &count, sizeof(count)) != sizeof(count)) {
                _exit(1);
            }
            _exit(count < 0);
        }
    }

    close(fds[1]);
    total = 0;

    for (i = 0; i < clients; i++) {
        if (read(fds[0], &count, sizeof(count)) != sizeof(count)
            || count < 0)
        {
            total = -1;
        }

        if (total >= 0) {
            total += count;
        }
    }

    for (i = 0; i < clients; i++) {
        waitpid(pids[i], &status, 0);
    }

    if (total < 0) {
        return 1;
    }

    printf("%.0f\n", total / (now() - start));

    return 0;
}
