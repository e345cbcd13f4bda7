# Services the test suite needs, each started and stopped by a small pair of functions.
# Sourced by .ci/test (what `make test` and CI run). A service is started as a child of this
# shell, so stopping it can wait for its exit before its directory is removed.
# To add one (Chromium, Ray…): write start_NAME/stop_NAME and add NAME to SERVICES in .ci/test.

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "make test needs redis-server on PATH: apt-get install redis-server (Debian/Ubuntu)," \
             "brew install redis (macOS); .ci/run installs it" >&2
        return 1
    fi
    redis_dir="$(mktemp -d)"
    local attempt
    for attempt in 1 2 3 4 5; do  # another process may take the free port before the server binds it
        redis_port="$(free_port)"
        redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize no \
            --dir "$redis_dir" --logfile "$redis_dir/redis.log" &
        redis_pid=$!
        local tries
        for tries in $(seq 100); do
            if redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
                export SYNDICATE_TEST_REDIS="redis://127.0.0.1:$redis_port/0"
                return 0
            fi
            kill -0 "$redis_pid" 2>/dev/null || break  # it exited (port taken): try another port
            sleep 0.1  # waiting for a server to accept connections
        done
        stop_redis_process
    done
    echo "redis-server did not start; its log:" >&2
    cat "$redis_dir/redis.log" >&2 || true
    return 1
}

stop_redis_process() {
    if [[ -n "${redis_pid:-}" ]]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true  # gone before anything removes its directory
        redis_pid=""
    fi
}

stop_redis() {
    stop_redis_process
    if [[ -n "${redis_dir:-}" ]]; then
        rm -rf "$redis_dir"
        redis_dir=""
    fi
}
