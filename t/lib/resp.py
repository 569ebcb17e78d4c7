# t/lib/resp.py: what the fake Redis servers of the tests share (imported
# by fakesentinel.py and fakemoved.py): reading a RESP command, writing a
# bulk string, a connection's command loop (PING answered here), and a
# threaded accept loop on 127.0.0.1 that ends after 60 s, so a test can
# never leave a fake server behind.
import socket, threading, time

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

def command_loop(conn, answer, *args):
    """Read commands from conn until it closes; PING gets +PONG, any other
    command answer(conn, NAME (upper case), cmd, *args)."""
    f = conn.makefile("rb")
    while True:
        cmd = read_command(f)
        if cmd is None:
            break
        name = cmd[0].upper() if cmd else b""
        if name == b"PING":
            conn.sendall(b"+PONG\r\n")
        else:
            answer(conn, name, cmd, *args)
    conn.close()

def serve_forever(port, serve, *args):
    """Accept on 127.0.0.1:port for 60 s; serve(conn, *args) in a thread each."""
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
        threading.Thread(target=serve, args=(conn,) + args, daemon=True).start()
