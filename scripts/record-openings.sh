#!/usr/bin/env bash
# Records the HTTP/1, HTTP/2, Redis, MongoDB and Kafka connections of the classifier corpus
# (internal/engine/corpus_linux_test.go) between real clients and servers
# through scripts/record.py; the decoders' tests replay them too. The SQL
# recordings beside them were made the same way. Run from the repository
# root; needs curl, nghttp (nghttp2-client), nginx, node, python3, Go,
# redis-server, redis-tools, python3-redis, and the MongoDB peers of
# test/mongopeers (its Node client installed with npm ci), kcat and the
# Kafka peers of test/kafkapeers.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
proxy=18080
mkdir -p internal/protocol/http1/testdata internal/protocol/http2/testdata internal/protocol/redis/testdata internal/protocol/mongo/testdata internal/protocol/kafka/testdata

# record OUT TARGET_PORT CLIENT...: one connection of CLIENT through the proxy.
record() {
	local out=$1 target=$2
	shift 2
	python3 scripts/record.py "$proxy" "$target" "$out" >"$work/proxy.log" &
	local rec=$!
	until grep -q ready "$work/proxy.log" 2>/dev/null; do sleep 0.05; done
	"$@" >/dev/null
	wait "$rec"
	echo "recorded $out ($(wc -l <"$out") reads)"
}

mkdir -p "$work/www"
echo "hello from a file" >"$work/www/hello.txt"
(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 18081) >/dev/null 2>&1 &
pids+=($!)

cat >"$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log stderr;
events {}
http {
	access_log off;
	client_body_temp_path $work;
	server { listen 127.0.0.1:18082; root $work/www; location /echo { return 201 "created\n"; } }
	server { listen 127.0.0.1:18083 http2; root $work/www; location /missing { return 404; } }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" 2>/dev/null &
pids+=($!)
sleep 0.5

record internal/protocol/http1/testdata/curl-python.seg 18081 \
	curl -s "http://127.0.0.1:$proxy/hello.txt"
record internal/protocol/http1/testdata/node-nginx.seg 18082 \
	node -e "
const http = require('http');
const agent = new http.Agent({keepAlive: true, maxSockets: 1});
const get = () => new Promise(r => http.get('http://127.0.0.1:$proxy/hello.txt', {agent}, res => { res.resume(); res.on('end', r); }));
const post = () => new Promise(r => { const q = http.request('http://127.0.0.1:$proxy/echo', {method: 'POST', agent}, res => { res.resume(); res.on('end', r); }); q.end('x'.repeat(3000)); });
get().then(post).then(get).then(() => agent.destroy());"
record internal/protocol/http2/testdata/nghttp-nginx-h2c.seg 18083 \
	nghttp -n "http://127.0.0.1:$proxy/hello.txt" "http://127.0.0.1:$proxy/missing" "http://127.0.0.1:$proxy/hello.txt?again"

(cd test/grpcpeers && go build -o "$work/greeter_server" google.golang.org/grpc/examples/helloworld/greeter_server &&
	go build -o "$work/greeter_client" google.golang.org/grpc/examples/helloworld/greeter_client)
"$work/greeter_server" -port 18084 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
record internal/protocol/http2/testdata/grpc-greeter.seg 18084 \
	"$work/greeter_client" -addr "127.0.0.1:$proxy"

redis-server --port 18085 --save "" --appendonly no >/dev/null &
pids+=($!)
until redis-cli -p 18085 ping >/dev/null 2>&1; do sleep 0.05; done
record internal/protocol/redis/testdata/redis-cli.seg 18085 \
	sh -c "redis-cli -p $proxy <internal/peers/redis/cli-commands.txt"
record internal/protocol/redis/testdata/redis-cli-resp3.seg 18085 \
	sh -c "redis-cli -3 -p $proxy <internal/peers/redis/cli-commands.txt"
record internal/protocol/redis/testdata/python-redis.seg 18085 \
	/usr/bin/python3 internal/peers/redis/client.py "$proxy" 18085

# A MongoDB driver opens a monitoring connection first, then its pool's:
# each recording is two files, the second being the commands'.
go build -C test/mongopeers -o "$work/ferretdb" ./cmd/ferretdb
go build -C test/mongopeers -o "$work/mongoclient" ./cmd/mongoclient
mkdir -p "$work/fdb"
"$work/ferretdb" -listen-addr 127.0.0.1:18086 -sqlite-dir "$work/fdb" >/dev/null 2>&1 &
pids+=($!)
sleep 1
record internal/protocol/mongo/testdata/go-driver.seg 18086 \
	"$work/mongoclient" -uri "mongodb://127.0.0.1:$proxy/?directConnection=true"
record internal/protocol/mongo/testdata/node-driver.seg 18086 \
	node test/mongopeers/node/client.js "mongodb://127.0.0.1:$proxy/?directConnection=true"

# kfake (test/kafkapeers) names the proxy as its broker, so that clients
# connect through it after the bootstrap: kcat keeps one connection,
# franz-go opens one per kind of request (each recording's later files).
go build -C test/kafkapeers -o "$work/kfake" ./cmd/kfake
go build -C test/kafkapeers -o "$work/kafkaclient" ./cmd/kafkaclient
kafka_proxy() { # a fresh cluster each time: clients count what they consume
	[ -n "${kfake_pid:-}" ] && kill "$kfake_pid" && wait "$kfake_pid" 2>/dev/null
	"$work/kfake" -listen-addr 127.0.0.1:18087 -advertise-addr "127.0.0.1:$proxy" -topics orders,audit &
	kfake_pid=$!
	pids+=($kfake_pid)
	sleep 0.5
}
kafka_proxy
record internal/protocol/kafka/testdata/kcat-produce.seg 18087 \
	sh -c "printf 'one\ntwo\nthree\n' | kcat -b 127.0.0.1:$proxy -P -t orders"
record internal/protocol/kafka/testdata/kcat-consume.seg 18087 \
	kcat -b "127.0.0.1:$proxy" -C -t orders -o beginning -c 3 -e
kafka_proxy
record internal/protocol/kafka/testdata/franz-go.seg 18087 \
	"$work/kafkaclient" -brokers "127.0.0.1:$proxy"
