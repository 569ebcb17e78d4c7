#!/usr/bin/env python3
# notify-listen.py SOCKET FILE: a systemd NOTIFY_SOCKET stand-in for tests.
# Binds a Unix datagram socket at SOCKET and appends every datagram it
# receives to FILE, one assignment a line (a datagram may carry several,
# newline-separated), flushed at once, until it is killed.
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = s.recv(65536).decode("utf-8", "replace")
        for line in data.split("\n"):
            if line:
                f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())
