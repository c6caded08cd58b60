# bench/lib.sh: wrk helpers for bench/run.sh.

bench_header() {
    printf '%-44s %12s %10s %10s\n' case 'requests/s' 'p50 ms' 'p99 ms'
}

# CPU time (utime + stime, clock ticks) of process PID
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}

# bench_case NAME URL [wrk args...]: warms up, measures, sets last_rps;
# with BENCH_CPU_PID also last_cpu_us, that process's CPU time per request
bench_case() {
    local name=$1 url=$2 out rps p50 p99 t0 t1 n
    shift 2
    taskset -c 0 wrk -t "$threads" -c "$conns" -d 2s "$@" "$url" > /dev/null
    last_cpu_us=
    [ -n "${BENCH_CPU_PID:-}" ] && t0=$(cpu_ticks "$BENCH_CPU_PID")
    out=$(taskset -c 0 wrk -t "$threads" -c "$conns" -d "${duration}s" \
          --latency "$@" "$url")
    if [ -n "${BENCH_CPU_PID:-}" ]; then
        t1=$(cpu_ticks "$BENCH_CPU_PID")
        n=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
        last_cpu_us=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
                      -v n="$n" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
    fi
    if printf '%s' "$out" | grep -q 'Non-2xx'; then
        printf '%s\n' "$out" >&2
        echo "bench: $name answered non-2xx responses" >&2
        return 1
    fi
    rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
    printf '%-44s %12.0f %10s %10s\n' "$name" "$rps" \
        "$(to_ms "$p50")" "$(to_ms "$p99")"
    last_rps=$rps
    last_p99=$(to_ms "$p99")
}

bench_ratio() {
    printf '%-44s %12s\n' "  ratio $1" \
        "$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.2f", a / b}')"
}

# wrk prints 812.00us, 1.20ms or 2.01s
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "%s", v }'
}
