#!/usr/bin/env python3
# t/lib/fakesentinel.py PORT HOST:PORT: a sentinel that lies.  It listens
# on 127.0.0.1:PORT and answers SENTINEL get-master-addr-by-name with
# HOST:PORT whatever the name (the tests give it a replica's address),
# PING with PONG and SUBSCRIBE with the confirmation; anything else is an
# error.  It exits after 60 s, so a test can never leave it behind.
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import bulk, command_loop, serve_forever

def answer(conn, name, cmd, host, port):
    if name == b"SENTINEL" and len(cmd) >= 3 and cmd[1].lower() == b"get-master-addr-by-name":
        conn.sendall(b"*2\r\n" + bulk(host) + bulk(port))
    elif name == b"SUBSCRIBE":
        for ch in cmd[1:]:
            conn.sendall(b"*3\r\n" + bulk("subscribe") + bulk(ch.decode()) + b":1\r\n")
    else:
        conn.sendall(b"-ERR unknown command\r\n")

def main():
    host, hport = sys.argv[2].rsplit(":", 1)
    serve_forever(int(sys.argv[1]), command_loop, answer, host, hport)

main()
