#!/usr/bin/env python3
"""Records the TCP connections between a real client and a real server as
.seg files, the format the decoders' tests replay: a line per read, "> hex"
for bytes the client sent, "< hex" for bytes the server sent, in the order
they passed.

    record.py LISTEN_PORT TARGET_PORT OUT.seg

listens on 127.0.0.1:LISTEN_PORT, relays each connection to
127.0.0.1:TARGET_PORT until either side closes, and once the first has
closed and none is open, writes the first to OUT.seg and any later one to
OUT-2.seg, OUT-3.seg and so on.
"""
import select
import socket
import sys
import threading


def relay(client, target_port, lines):
    server = socket.create_connection(("127.0.0.1", target_port))
    peers = {client: (server, ">"), server: (client, "<")}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 10)
        if not ready:
            break
        for s in ready:
            try:
                data = s.recv(1 << 20)
            except ConnectionResetError:
                data = b""
            if not data:
                client.close()
                server.close()
                return
            other, mark = peers[s]
            lines.append(f"{mark} {data.hex()}")
            other.sendall(data)


def main():
    listen_port, target_port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(8)
    ls.settimeout(1)
    print("ready", flush=True)
    conns = []
    while True:
        try:
            client, _ = ls.accept()
        except socket.timeout:
            if conns and not any(t.is_alive() for t, _ in conns):
                break
            continue
        lines = []
        t = threading.Thread(target=relay, args=(client, target_port, lines))
        t.start()
        conns.append((t, lines))
    for i, (_, lines) in enumerate(conns):
        name = out if i == 0 else out.replace(".seg", f"-{i + 1}.seg")
        with open(name, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
