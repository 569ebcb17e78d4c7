#!/usr/bin/env python3
# t/lib/fakemoved.py PORT HOST:PORT KEY...: a Redis Cluster node whose slot
# map is out of date.  It listens on 127.0.0.1:PORT and says it serves
# every slot (CLUSTER SLOTS), lists KEY... for any SCAN, answers PING, and
# answers every other command with "MOVED <slot> HOST:PORT" (the tests give
# a real node, which may redirect once more to the key's owner): what a
# client sees when a resharding moved slots after it read the map.  It
# exits after 60 s, so a test can never leave it behind.
import socket, sys, threading, time

def read_command(f):
    line = f.readline()
    if not line:
        return None
    if not line.startswith(b"*"):
        return line.split()
    words = []
    for _ in range(int(line[1:])):
        n = int(f.readline()[1:])
        words.append(f.read(n + 2)[:-2])
    return words

def bulk(s):
    b = s.encode() if isinstance(s, str) else s
    return b"$%d\r\n%s\r\n" % (len(b), b)

def serve(conn, port, target, keys):
    f = conn.makefile("rb")
    while True:
        cmd = read_command(f)
        if cmd is None:
            break
        name = cmd[0].upper() if cmd else b""
        if name == b"PING":
            conn.sendall(b"+PONG\r\n")
        elif name == b"CLUSTER" and len(cmd) >= 2 and cmd[1].upper() == b"SLOTS":
            conn.sendall(b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n" + bulk("127.0.0.1") + b":%d\r\n" % port)
        elif name == b"SCAN":
            conn.sendall(b"*2\r\n" + bulk("0") + b"*%d\r\n" % len(keys) + b"".join(bulk(k) for k in keys))
        else:
            conn.sendall(b"-MOVED 0 %s\r\n" % target.encode())
    conn.close()

def main():
    port = int(sys.argv[1])
    target = sys.argv[2]
    keys = sys.argv[3:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    srv.settimeout(1)
    end = time.time() + 60
    while time.time() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, port, target, keys), daemon=True).start()

main()
