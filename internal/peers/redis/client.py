"""A Redis client session through python3-redis (RESP2), for the
decoders' recordings and the end-to-end tests.

    client.py PORT [PUBLISH_PORT]

makes, on one connection to 127.0.0.1:PORT, the commands the tests count
(printed as "calls N"); with PUBLISH_PORT, a subscription on that
connection receives two messages published through PUBLISH_PORT.
"""
import sys

import redis


def main():
    port = int(sys.argv[1])
    pool = redis.ConnectionPool(host="127.0.0.1", port=port, db=2, max_connections=1)
    r = redis.Redis(connection_pool=pool)
    calls = 1  # SELECT 2, sent when the connection opens
    r.set("py:key", "py-secret-value")
    r.get("py:key")
    calls += 2
    tx = r.pipeline(transaction=True)
    tx.incr("py:counter")
    tx.rpush("py:list", "a", "b")
    tx.execute()
    calls += 4  # MULTI, INCR, RPUSH, EXEC
    batch = r.pipeline(transaction=False)
    for i in range(5):
        batch.get(f"py:missing:{i}")
    batch.execute()
    calls += 5
    try:
        r.lpop("py:key")
    except redis.ResponseError:
        pass
    calls += 1
    if len(sys.argv) > 2:
        publisher = redis.Redis(host="127.0.0.1", port=int(sys.argv[2]))
        sub = r.pubsub()
        sub.connection = pool.get_connection("_")
        sub.subscribe("py:news", "py:sports")
        calls += 1  # one SUBSCRIBE, confirmed once per channel
        got = 0
        while got < 2:
            m = sub.get_message(timeout=5)
            if m is None:
                raise SystemExit("no message")
            if m["type"] == "subscribe" and m["channel"] == b"py:sports":
                publisher.publish("py:news", "first")
                publisher.publish("py:sports", "second")
            if m["type"] == "message":
                got += 1
        sub.unsubscribe()
        calls += 1
        sub.get_message(timeout=5)
        sub.get_message(timeout=5)
    print(f"calls {calls}")


if __name__ == "__main__":
    main()
