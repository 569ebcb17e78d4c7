#!/usr/bin/env python3
# t/lib/fakesentinel.py PORT HOST:PORT: a sentinel that lies.  It listens
# on 127.0.0.1:PORT and answers SENTINEL get-master-addr-by-name with
# HOST:PORT whatever the name (the tests give it a replica's address),
# PING with PONG and SUBSCRIBE with the confirmation; anything else is an
# error.  It exits after 60 s, so a test can never leave it behind.
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
    b = s.encode()
    return b"$%d\r\n%s\r\n" % (len(b), b)

def serve(conn, host, port):
    f = conn.makefile("rb")
    while True:
        cmd = read_command(f)
        if cmd is None:
            break
        name = cmd[0].upper() if cmd else b""
        if name == b"PING":
            conn.sendall(b"+PONG\r\n")
        elif name == b"SENTINEL" and len(cmd) >= 3 and cmd[1].lower() == b"get-master-addr-by-name":
            conn.sendall(b"*2\r\n" + bulk(host) + bulk(port))
        elif name == b"SUBSCRIBE":
            for ch in cmd[1:]:
                conn.sendall(b"*3\r\n" + bulk("subscribe") + bulk(ch.decode()) + b":1\r\n")
        else:
            conn.sendall(b"-ERR unknown command\r\n")
    conn.close()

def main():
    port = int(sys.argv[1])
    host, hport = sys.argv[2].rsplit(":", 1)
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
        threading.Thread(target=serve, args=(conn, host, hport), daemon=True).start()

main()
