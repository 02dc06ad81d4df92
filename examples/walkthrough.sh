#!/usr/bin/env bash
# The user's walk-through (shared/seed/walkthrough.md), run step by step with the crosstalk CLI
# against a fresh state directory, in simulation. Each command is a separate process, as when a
# person types them. Engine 26 behaviour (--compat legacy) reproduces the MACs of the transcript.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crosstalk="node $here/../bin/crosstalk.js"
# Deterministic IDs, MACs and timings (the same output as `crosstalk tutorial --sim`); unset for real randomness.
export CROSSTALK_SEED="${CROSSTALK_SEED-1}"
export CROSSTALK_STATE_DIR="${CROSSTALK_STATE_DIR:-$(mktemp -d)}"
trap '[ -n "${KEEP_STATE:-}" ] || rm -rf "$CROSSTALK_STATE_DIR"' EXIT

docker() {
  printf '$ docker %s\n' "$*"
  $crosstalk "$@"
}
say() { printf '\n# %s\n' "$*"; }
detach=$'\x10\x11'

$crosstalk reset --compat legacy
for project in dockercompose styles swcarpentryrnovicegapminder914b882 swcarpentryrnovicegapminder \
  swcarpentryrnoviceinflammation swcarpentryshellnovice; do
  $crosstalk network create --label com.docker.compose.network=default \
    --label "com.docker.compose.project=$project" --label com.docker.compose.version=1.25.0 \
    "${project}_default" >/dev/null
done

say "1. The machine before: six networks left over from Compose projects"
docker network ls

say "2. The default bridge network"
docker run -dit --name alpine1 alpine ash
docker run -dit --name alpine2 alpine ash
docker network inspect bridge
say "On the default bridge, containers reach each other by IP but not by name"
printf 'ping -c 2 172.17.0.3\nping -c 2 alpine2\n%s\n' "$detach" | docker container attach alpine1
say "ash as PID 1 ignores SIGTERM: each stop waits its 10 s timeout, then kills (exit 137), as with Docker"
docker container stop alpine1 alpine2
docker container rm alpine1 alpine2

say "3. A user-defined bridge network"
docker network create --driver bridge alpine-net
docker network ls
docker run -dit --name alpine1 --network alpine-net alpine ash
docker run -dit --name alpine2 --network alpine-net alpine ash
docker run -dit --name alpine3 alpine ash
docker run -dit --name alpine4 --network alpine-net alpine ash
docker network connect bridge alpine4
docker network inspect bridge
docker network inspect alpine-net
say "alpine1 reaches alpine2 and alpine4 by name, but not alpine3 (another network), not even by IP"
printf 'ping -c 2 alpine2\nping -c 2 alpine4\nping -c 2 alpine1\nping -c 2 alpine3\nping -c 2 -W 1 172.17.0.2\n%s\n' "$detach" \
  | docker container attach alpine1
say "Why? crosstalk explains"
printf '$ crosstalk explain alpine1 alpine3\n'
$crosstalk explain alpine1 alpine3
say "alpine4 is on both networks: it reaches alpine3 by IP on bridge, but not by name"
printf 'ping -c 2 alpine1\nping -c 2 alpine3\nping -c 2 172.17.0.2\n%s\n' "$detach" | docker container attach alpine4

say "4. A second user-defined network joins alpine3 and alpine4"
docker network create --driver bridge lapine-net
docker network connect lapine-net alpine3
docker network connect lapine-net alpine4
docker network inspect lapine-net
docker exec alpine4 ping -c 2 alpine3
docker exec alpine4 ping -c 2 alpine2

say "Why could they not talk? A stopped container has no address and its name no longer resolves"
docker container stop alpine2
docker exec alpine1 ping -c 1 alpine2
docker start alpine2
docker exec alpine1 ping -c 1 alpine2

say "Clean up"
docker container stop alpine1 alpine2 alpine3 alpine4
docker container rm alpine1 alpine2 alpine3 alpine4
docker network rm alpine-net lapine-net
docker network prune -f
docker network ls
