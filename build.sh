#!/usr/bin/env bash
# build.sh — deps | build | test | run | stop | bench for ngx_teams_module.
# Every subcommand installs what it needs first, so each works alone on a fresh
# Debian 12 machine as root.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"

build_dir=$top/build
run_dir=$top/.run

# Debian packages the project needs, and why:
#   nginx, nginx-dev          the server and the headers/conf_flags we build against
#   libpq-dev libhiredis-dev libcurl4-openssl-dev libyajl-dev libssl-dev
#                             the libraries the module and the worker link
#   postgresql redis-server   real backends for tests and the demo stack
#   libtest-base-perl libtext-diff-perl libjson-pp-perl
#                             our Test::Nginx-style harness
#   nodejs                    the local Microsoft stand-in (test and demo tooling)
#   wrk valgrind curl procps  bench, memory checks, the operator's curl, ps/pkill
packages=(
    gcc make pkg-config
    nginx nginx-dev
    libpq-dev libhiredis-dev libcurl4-openssl-dev libyajl-dev libssl-dev
    postgresql redis-server
    perl libtest-base-perl libtext-diff-perl
    nodejs
    wrk valgrind curl procps
)

log() { printf 'build.sh: %s\n' "$*" >&2; }

cmd_deps() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Debian's postinst scripts start services by default; we run our own
    # private instances, so keep the system ones from starting.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
}

# The module is configured like Debian's own dynamic modules (nginx_mod.pm):
# the same conf_flags, so the .so carries the binary signature of
# /usr/sbin/nginx, built out of tree under build/nginx.
build_module() {
    local ngx_src=/usr/share/nginx/src objdir=$build_dir/nginx
    local stamp=$objdir/.configured
    mkdir -p "$objdir"
    # make tracks edits; a new or removed source file needs a new Makefile
    if [ ! -f "$stamp" ] || [ config -nt "$stamp" ] \
        || [ "$(ls src/*/*.c ngx_teams_module/*.c 2>/dev/null | md5sum)" \
             != "$(cat "$objdir/.sources" 2>/dev/null)" ]
    then
        log "configuring the module against $ngx_src"
        (
            cd "$ngx_src"
            # shellcheck disable=SC1091
            . ./conf_flags
            ./configure \
                --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
                --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" \
                "${NGX_CONF_FLAGS[@]}" \
                --add-dynamic-module="$top" \
                --builddir="$objdir"
        ) > "$build_dir/configure.log" 2>&1 || {
            tail -20 "$build_dir/configure.log" >&2
            log "configure failed (full log: build/configure.log)"
            exit 1
        }
        ls src/*/*.c ngx_teams_module/*.c 2>/dev/null | md5sum > "$objdir/.sources"
        touch "$stamp"
    fi
    make -s -f "$objdir/Makefile" -C /usr/share/nginx/src modules \
        > "$build_dir/make-module.log" 2>&1 || {
        grep -E 'error|warning' "$build_dir/make-module.log" | head -40 >&2
        log "module build failed (full log: build/make-module.log)"
        exit 1
    }
    # rename, never overwrite: a running nginx has the old file mapped
    cp "$objdir/ngx_teams_module.so" "$build_dir/.ngx_teams_module.so.new"
    mv -f "$build_dir/.ngx_teams_module.so.new" "$build_dir/ngx_teams_module.so"
}

cmd_build() {
    cmd_deps
    mkdir -p "$build_dir"
    build_module
    if [ -f Makefile ]; then
        make -s worker unit
    fi
    log "built build/ngx_teams_module.so${HAVE_WORKER:+ and build/teams-worker}"
}

case "${1:-}" in
    deps) cmd_deps ;;
    build) cmd_build ;;
    *) echo "usage: $0 deps|build|test|run|stop|bench" >&2; exit 2 ;;
esac
