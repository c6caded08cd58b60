
/*
 * The unit-test runner: runs every TEAMS_TEST (or those whose name contains
 * one of the arguments) and ends with exactly one line "N passed, N failed".
 *
 *     build/unit-tests [-v] [-l] [SUBSTRING ...]
 *
 * -v prints "ok <name>" for passing tests too; -l lists the tests.
 * TEAMS_UNIT_NOFORK=1 runs the tests in-process (for gdb).
 */


#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"


#define TEAMS_UNIT_TIMEOUT  10


static int teams_unit_selected(teams_unit_test_t *t, int argc, char **argv);
static int teams_unit_run(teams_unit_test_t *t, int nofork);


static teams_unit_test_t   *teams_unit_tests;
static teams_unit_test_t  **teams_unit_last = &teams_unit_tests;
static const char          *teams_unit_current;
static int                  teams_unit_failures;


int
main(int argc, char **argv)
{
    int                 i, n, verbose, list, nofork, passed, failed;
    char               *env;
    teams_unit_test_t  *t;

    verbose = 0;
    list = 0;
    n = 1;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;

        } else if (strcmp(argv[i], "-l") == 0) {
            list = 1;

        } else {
            argv[n++] = argv[i];
        }
    }

    argc = n;

    env = getenv("TEAMS_UNIT_NOFORK");
    nofork = (env != NULL && env[0] != '\0' && strcmp(env, "0") != 0);

    passed = 0;
    failed = 0;

    for (t = teams_unit_tests; t != NULL; t = t->next) {
        if (!teams_unit_selected(t, argc, argv)) {
            continue;
        }

        if (list) {
            printf("%s (%s)\n", t->name, t->file);
            continue;
        }

        if (teams_unit_run(t, nofork) == 0) {
            passed++;

            if (verbose) {
                printf("ok %s\n", t->name);
            }

        } else {
            failed++;
            printf("FAIL %s\n", t->name);
        }

        fflush(stdout);
    }

    if (list) {
        return 0;
    }

    printf("%d passed, %d failed\n", passed, failed);

    return failed == 0 ? 0 : 1;
}


void
teams_unit_register(teams_unit_test_t *t)
{
    /* constructors run in file order: keep that order */

    t->next = NULL;
    *teams_unit_last = t;
    teams_unit_last = &t->next;
}


void
teams_unit_fail(const char *file, int line, const char *fmt, ...)
{
    va_list  args;

    teams_unit_failures++;

    printf("  %s:%d: %s: ", file, line,
           teams_unit_current ? teams_unit_current : "?");

    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);

    printf("\n");
    fflush(stdout);
}


int
teams_unit_str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }

    return strcmp(a, b) == 0;
}


const char *
teams_unit_str(const char *s)
{
    return s == NULL ? "(null)" : s;
}


static int
teams_unit_selected(teams_unit_test_t *t, int argc, char **argv)
{
    int  i;

    if (argc < 2) {
        return 1;
    }

    for (i = 1; i < argc; i++) {
        if (strstr(t->name, argv[i]) != NULL) {
            return 1;
        }
    }

    return 0;
}


static int
teams_unit_run(teams_unit_test_t *t, int nofork)
{
    int    status;
    pid_t  pid;

    teams_unit_current = t->name;
    teams_unit_failures = 0;

    if (nofork) {
        t->fn();
        return teams_unit_failures ? -1 : 0;
    }

    fflush(stdout);
    fflush(stderr);

    pid = fork();

    if (pid == -1) {
        perror("fork");
        return -1;
    }

    if (pid == 0) {
        alarm(TEAMS_UNIT_TIMEOUT);
        t->fn();
        fflush(stdout);
        _exit(teams_unit_failures ? 1 : 0);
    }

    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR) {
            perror("waitpid");
            return -1;
        }
    }

    if (WIFSIGNALED(status)) {
        printf("  %s: %s: killed by signal %d%s\n", t->file, t->name,
               WTERMSIG(status),
               WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
        return -1;
    }

    return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : -1;
}
