#!/usr/bin/env python3
# t/lib/fakemoved.py PORT HOST:PORT KEY...: a Redis Cluster node whose slot
# map is out of date.  It listens on 127.0.0.1:PORT and says it serves
# every slot (CLUSTER SLOTS), lists KEY... for any SCAN, answers PING, and
# answers every other command with "MOVED <slot> HOST:PORT" (the tests give
# a real node, which may redirect once more to the key's owner): what a
# client sees when a resharding moved slots after it read the map.  It
# exits after 60 s, so a test can never leave it behind.
import os, sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp import bulk, command_loop, serve_forever

def answer(conn, name, cmd, port, target, keys):
    if name == b"CLUSTER" and len(cmd) >= 2 and cmd[1].upper() == b"SLOTS":
        conn.sendall(b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n" + bulk("127.0.0.1") + b":%d\r\n" % port)
    elif name == b"SCAN":
        conn.sendall(b"*2\r\n" + bulk("0") + b"*%d\r\n" % len(keys) + b"".join(bulk(k) for k in keys))
    else:
        conn.sendall(b"-MOVED 0 %s\r\n" % target.encode())

def main():
    port = int(sys.argv[1])
    serve_forever(port, command_loop, answer, port, sys.argv[2], sys.argv[3:])

main()
