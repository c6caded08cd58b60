
/*
 * teams-secret: encrypts or decrypts a Microsoft profile's client secret
 * the way ngx_teams_module stores it (src/core/teams_secret.h).
 *
 *   teams-secret encrypt --key-file F --tenant T --profile P  < secret
 *   teams-secret decrypt --key-file F --tenant T --profile P  < envelope
 *
 * The key file holds 64 hex characters (as teams_secret_key_file).  The
 * input is read from stdin (one trailing newline dropped); the result goes
 * to stdout followed by a newline.  Secrets never appear on the command
 * line, so they stay out of ps and shell history.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/teams_secret.h"


#define TEAMS_SECRET_TOOL_MAX_IN  (2 * TEAMS_SECRET_MAX_PLAIN + 256)


static int teams_secret_tool_usage(void);
static int teams_secret_tool_read_key(const char *path, unsigned char *key);


int
main(int argc, char **argv)
{
    int                 i, encrypt, rc;
    char               *out, aad[TEAMS_SECRET_AAD_MAX];
    size_t              in_len, out_len, aad_len, size;
    const char         *key_file, *tenant, *profile;
    unsigned char       key[TEAMS_SECRET_KEY_LEN];
    static char         in[TEAMS_SECRET_TOOL_MAX_IN + 1];
    teams_secret_rc_e   src;

    if (argc < 2) {
        return teams_secret_tool_usage();
    }

    if (strcmp(argv[1], "encrypt") == 0) {
        encrypt = 1;

    } else if (strcmp(argv[1], "decrypt") == 0) {
        encrypt = 0;

    } else {
        return teams_secret_tool_usage();
    }

    key_file = NULL;
    tenant = NULL;
    profile = NULL;

    for (i = 2; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--key-file") == 0) {
            key_file = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--tenant") == 0) {
            tenant = argv[++i];

        } else if (i + 1 < argc && strcmp(argv[i], "--profile") == 0) {
            profile = argv[++i];

        } else {
            return teams_secret_tool_usage();
        }
    }

    if (key_file == NULL || tenant == NULL || profile == NULL) {
        return teams_secret_tool_usage();
    }

    if (teams_secret_tool_read_key(key_file, key) != 0) {
        return 1;
    }

    aad_len = teams_secret_aad(aad, sizeof(aad), tenant, strlen(tenant),
                               profile, strlen(profile));
    if (aad_len == 0) {
        fprintf(stderr, "teams-secret: tenant or profile id too long\n");
        return 2;
    }

    in_len = fread(in, 1, TEAMS_SECRET_TOOL_MAX_IN + 1, stdin);

    if (in_len > TEAMS_SECRET_TOOL_MAX_IN) {
        fprintf(stderr, "teams-secret: input too long\n");
        teams_secret_wipe(in, sizeof(in));
        return 1;
    }

    if (in_len && in[in_len - 1] == '\n') {
        in_len--;

        if (in_len && in[in_len - 1] == '\r') {
            in_len--;
        }
    }

    if (encrypt) {
        if (in_len == 0) {
            fprintf(stderr, "teams-secret: empty secret on stdin\n");
            return 1;
        }

        size = teams_secret_envelope_len(in_len) + 1;

    } else {
        size = in_len + 1;
    }

    out = malloc(size);
    if (out == NULL) {
        teams_secret_wipe(in, sizeof(in));
        return 1;
    }

    if (encrypt) {
        src = teams_secret_encrypt(key, aad, aad_len,
                                   (const unsigned char *) in, in_len, out,
                                   size, &out_len);
    } else {
        src = teams_secret_decrypt(key, aad, aad_len, in, in_len,
                                   (unsigned char *) out, size, &out_len);
    }

    teams_secret_wipe(in, sizeof(in));
    teams_secret_wipe(key, sizeof(key));

    rc = 0;

    if (src != TEAMS_SECRET_OK) {
        fprintf(stderr, "teams-secret: %s\n", teams_secret_strerror(src));
        rc = 1;

    } else {
        fwrite(out, 1, out_len, stdout);
        fputc('\n', stdout);
    }

    teams_secret_wipe(out, size);
    free(out);

    return rc;
}


static int
teams_secret_tool_usage(void)
{
    fprintf(stderr,
            "usage: teams-secret encrypt|decrypt --key-file FILE "
            "--tenant PSA_TENANT --profile PROFILE_ID\n"
            "  encrypt: secret on stdin, v1 envelope on stdout\n"
            "  decrypt: envelope on stdin, secret on stdout\n");
    return 2;
}


static int
teams_secret_tool_read_key(const char *path, unsigned char *key)
{
    FILE    *f;
    char     text[256];
    size_t   n;

    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "teams-secret: cannot open key file %s\n", path);
        return -1;
    }

    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);

    if (teams_secret_key_from_hex(text, n, key) != 0) {
        fprintf(stderr, "teams-secret: %s must hold exactly 64 hex "
                "characters\n", path);
        teams_secret_wipe(text, sizeof(text));
        return -1;
    }

    teams_secret_wipe(text, sizeof(text));

    return 0;
}
