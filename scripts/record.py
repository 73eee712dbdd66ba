#!/usr/bin/env python3
"""Records one TCP connection between a real client and a real server as a
.seg file, the format the decoders' tests replay: a line per read, "> hex"
for bytes the client sent, "< hex" for bytes the server sent, in the order
they passed.

    record.py LISTEN_PORT TARGET_PORT OUT.seg

listens on 127.0.0.1:LISTEN_PORT, accepts one connection, relays it to
127.0.0.1:TARGET_PORT until either side closes, and writes OUT.seg.
"""
import select
import socket
import sys


def main():
    listen_port, target_port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(1)
    print("ready", flush=True)
    client, _ = ls.accept()
    server = socket.create_connection(("127.0.0.1", target_port))
    lines = []
    peers = {client: (server, ">"), server: (client, "<")}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 10)
        if not ready:
            break
        done = False
        for s in ready:
            data = s.recv(1 << 20)
            if not data:
                done = True
                break
            other, mark = peers[s]
            lines.append(f"{mark} {data.hex()}")
            other.sendall(data)
        if done:
            break
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
