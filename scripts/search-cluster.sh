#!/usr/bin/env bash
# Start a three-node OpenSearch cluster on loopback from Maven Central jars, wait for green, run the
# command given (with CNHT_SEARCH_BACKEND=opensearch and CNHT_ES_URL set), stop the cluster.
#   scripts/search-cluster.sh .venv/bin/python -m pytest tests/search
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/ops/search-cluster"
build="${CNHT_SEARCH_BUILD:-/tmp/cnht-search-cluster}"
nodes="${CNHT_SEARCH_NODES:-3}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
tport=$((port + 100))

mkdir -p "$build/classes"
if [ ! -f "$build/lib/.done" ] || [ "$src/pom.xml" -nt "$build/lib/.done" ]; then
  rm -rf "$build/lib"
  mvn -q -B -f "$src/pom.xml" dependency:copy-dependencies -DoutputDirectory="$build/lib"
  touch "$build/lib/.done"
fi
javac -nowarn -cp "$build/lib/*" -d "$build/classes" "$src/SearchCluster.java"

log="$build/cluster.log"
control="$build/control-$port"
rm -rf "$control"
java -Xms256m -Xmx1g -cp "$build/classes:$build/lib/*" -Dnodes="$nodes" -Dhttp.port="$port" \
  -Dtransport.port="$tport" -Dcontrol="$control" cnht.SearchCluster >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 120); do
  if curl -fs "$url/_cluster/health?wait_for_status=green&wait_for_nodes=$nodes&timeout=1s" 2>/dev/null \
    | grep -q '"timed_out":false'; then
    break
  fi
  kill -0 $pid 2>/dev/null || { echo "search cluster died:"; tail -40 "$log"; exit 1; }
  sleep 1
done
curl -fs "$url/_cluster/health" | grep -q "\"number_of_nodes\":$nodes" || { echo "cluster not green with $nodes nodes"; tail -40 "$log"; exit 1; }
echo "-- OpenSearch cluster green: $nodes nodes at $url"
# the node-loss test stops and restarts node 2 through files in $CNHT_SEARCH_CONTROL
CNHT_SEARCH_BACKEND=opensearch CNHT_ES_URL="$url" CNHT_SEARCH_CONTROL="$control" CNHT_SEARCH_NODES="$nodes" "$@"
