# SPDX-License-Identifier: GPL-2.0-or-later
"""File transfer (MSNFTP) between two accounts in real libpurple: the
invitation on a switchboard through the test server (which only relays
it), the file on a direct TCP connection on 127.0.0.1.  Sizes around the
2045-byte block, 5 MB, a non-ASCII name, refusal, cancels from either
side; and against a raw MSNFTP peer written here: a wrong auth cookie, a
peer that sends too much or too little, a file that cannot be written,
and the other direction (Sender-Connect) when the first connection is
refused."""
import hashlib
import os
import socket
import sys
import threading

from harness import main, note, test
from msn_common import ALICE, BOB, DAN, sign_in, start, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "server"))
import selftest as raw  # noqa: E402  (the server self-test's MSNP client)

FT_GUID = "{5D3E02AB-6190-11d3-BBBB-00C04F795683}"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def has_bytes(driver, path, data):
    """libpurple signals completion before it closes the file: wait for
    the bytes to be there."""
    def check():
        with open(path, "rb") as f:
            return f.read() == data
    return wait_for(check, driver, timeout=5)


def two_users(timeout=10, knobs=None, stall=60):
    server, driver = start(knobs=knobs)
    # The address a listening side announces: loopback, for the tests.
    driver.cmd("set_pref", name="/purple/network/auto_ip", value=False)
    driver.cmd("set_pref", name="/purple/network/public_ip", value="127.0.0.1")
    sign_in(server, driver, ALICE, "a", ft_connect_timeout=timeout, ft_stall_timeout=stall)
    sign_in(server, driver, BOB, "b", ft_connect_timeout=timeout, ft_stall_timeout=stall)
    assert wait_for(lambda: driver.cmd("buddy", id="a", buddy=BOB[0])["buddy"]["online"], driver)
    return server, driver


def workdir(driver, name):
    path = os.path.join(driver.user_dir, "..", name)
    os.makedirs(path, exist_ok=True)
    return os.path.abspath(path)


def make_file(dirname, name, size):
    path = os.path.join(dirname, name)
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    return path


def accept_offer(driver, dest, account="b"):
    """Answers libpurple's accept dialog and then its save-as dialog."""
    ask = driver.expect("request", timeout=15, account=account, kind="action")
    driver.cmd("answer_request", request=ask["request"], action="accept")
    save = driver.expect("request", timeout=10, account=account, kind="file")
    driver.cmd("answer_request", request=save["request"], path=dest)
    return ask, save


def offer(driver, src, sender="a", to=BOB[0]):
    driver.cmd("send_file", id=sender, to=to, file=src)


def transfer(driver, size, name="data.bin"):
    src_dir, dst_dir = workdir(driver, "src"), workdir(driver, "dst")
    src = make_file(src_dir, name, size)
    dest = os.path.join(dst_dir, name)
    offer(driver, src)
    ask, save = accept_offer(driver, dest)
    assert save["filename"] == name, save
    driver.expect("file-recv-complete", timeout=120, account="b")
    driver.expect("file-send-complete", timeout=30, account="a")
    with open(src, "rb") as f:
        assert has_bytes(driver, dest, f.read()), "received file differs"
    assert sha(dest) == sha(src)
    return ask


@test
def sizes_around_the_block_boundary():
    server, driver = two_users()
    with server, driver:
        for size in (0, 1, 2045, 2046):
            transfer(driver, size, name=f"f{size}.bin")
        xfers = driver.cmd("xfers")["xfers"]
        assert all(x["status"] == "done" for x in xfers), xfers


@test(timeout=300)
def five_megabytes_and_progress():
    server, driver = two_users()
    with server, driver:
        transfer(driver, 5 * 1024 * 1024)
        done = driver.events("file-send-complete", account="a")[0]
        assert done["bytes_sent"] == 5 * 1024 * 1024, done


@test
def non_ascii_name():
    server, driver = two_users()
    with server, driver:
        ask = transfer(driver, 3000, name="r\u00e9sum\u00e9 \u65e5\u672c.txt")
        assert "r\u00e9sum\u00e9" in ask["primary"], ask


@test
def receiver_declines():
    server, driver = two_users()
    with server, driver:
        src = make_file(workdir(driver, "src"), "no.bin", 10)
        # Sent from the conversation window, as a user would.
        driver.cmd("send_im", id="a", to=BOB[0], text="here comes a file")
        offer(driver, src)
        ask = driver.expect("request", timeout=15, account="b", kind="action")
        driver.cmd("answer_request", request=ask["request"], action="cancel")
        ev = driver.expect("file-send-cancel", timeout=10, account="a")
        assert ev["status_name"] == "cancel_remote", ev
        driver.expect("conv-write", timeout=5, account="a",
                      message=lambda m: m is not None and "Bob declined the file" in m)


def start_big(driver, size=1 << 30):
    # Sparse: quick to make, and a gigabyte takes long enough on loopback
    # to be cancelled in the middle.
    src = os.path.join(workdir(driver, "src"), "big.bin")
    with open(src, "wb") as f:
        f.truncate(size)
    dest = os.path.join(workdir(driver, "dst"), "big.bin")
    offer(driver, src)
    accept_offer(driver, dest)
    driver.expect("file-recv-start", timeout=15, account="b")
    assert wait_for(lambda: any(x["bytes_sent"] > 0 for x in driver.cmd("xfers")["xfers"]
                                if x["direction"] == "receive"), driver, step_ms=20)
    return src, dest


@test(timeout=120)
def sender_cancels_mid_transfer():
    server, driver = two_users()
    with server, driver:
        start_big(driver)
        driver.cmd("xfer_cancel", id="a", who=BOB[0])
        ev = driver.expect("file-recv-cancel", timeout=15, account="b")
        assert ev["status_name"] == "cancel_remote", ev
        assert ev["bytes_sent"] < ev["size"], ev
        assert driver.events("file-send-cancel", account="a")[0]["status_name"] == "cancel_local"


@test(timeout=120)
def receiver_cancels_mid_transfer():
    server, driver = two_users()
    with server, driver:
        start_big(driver)
        driver.cmd("xfer_cancel", id="b", who=ALICE[0])
        ev = driver.expect("file-send-cancel", timeout=15, account="a")
        assert ev["status_name"] == "cancel_remote", ev
        assert ev["bytes_sent"] < ev["size"], ev


@test
def cancel_before_answer():
    server, driver = two_users()
    with server, driver:
        src = make_file(workdir(driver, "src"), "early.bin", 10)
        offer(driver, src)
        driver.expect("request", timeout=15, account="b", kind="action")
        driver.cmd("xfer_cancel", id="a", who=BOB[0])
        # The dialog goes away and the receiver's transfer ends.
        driver.expect("request-closed", timeout=10)
        driver.expect("file-recv-cancel", timeout=10, account="b")


@test
def unsafe_names_are_sanitised():
    server, driver = two_users()
    with server, driver:
        peer = RawPeer(server, DAN)
        try:
            peer.invite(BOB[0], "../../etc/pa\u0001ss/..", 3)
            ask = driver.expect("request", timeout=15, account="b", kind="action")
            driver.cmd("answer_request", request=ask["request"], action="accept")
            save = driver.expect("request", timeout=10, account="b", kind="file")
            name = save["filename"]
            assert "/" not in name and "\\" not in name and not name.startswith("."), name
            assert "\u0001" not in name, name
            driver.cmd("answer_request", request=save["request"], action="cancel")
        finally:
            peer.close()


@test
def reserved_and_look_alike_names_are_made_safe():
    """What the save dialog proposes for names that are paths or devices
    in disguise, and for a name too long to keep whole."""
    long_name = "x" * 300 + ".jpeg"
    cases = [("\u2215etc\u2215passwd", lambda n: n == "_etc_passwd"),
             ("a\u2044b\uff0fc\u29f8d\\e", lambda n: n == "a_b_c_d_e"),
             ("CON", lambda n: n == "_CON"),
             ("con.txt", lambda n: n == "_con.txt"),
             ("LPT1.log", lambda n: n == "_LPT1.log"),
             (long_name, lambda n: len(n.encode()) <= 200 and n.endswith("x.jpeg"))]
    server, driver = two_users()
    with server, driver:
        peer = RawPeer(server, DAN)
        try:
            for i, (proposed, ok) in enumerate(cases):
                peer.cookie = str(900 + i)
                peer.invite(BOB[0], proposed, 3)
                ask = driver.expect("request", timeout=15, account="b", kind="action")
                driver.cmd("answer_request", request=ask["request"], action="accept")
                save = driver.expect("request", timeout=10, account="b", kind="file")
                assert ok(save["filename"]), (proposed, save["filename"])
                driver.cmd("answer_request", request=save["request"], action="cancel")
        finally:
            peer.close()


# ------------------------------------------------------------ a raw peer

class RawPeer:
    """A user signed in with the server self-test's MSNP client, on one
    switchboard with the contact, speaking invitations and MSNFTP by hand."""

    def __init__(self, server, who):
        self.passport = who[0]
        fixture_pw = who[1]
        self.ns, _ = raw.login(server, self.passport, fixture_pw)
        raw.online(self.ns)
        self.sb = None
        self.cookie = "777"

    def open_sb(self, to):
        self.ns.cmd("XFR {t} SB")
        f = self.ns.expect("XFR")
        self.sb = raw.Client(int(f.tok[3].split(":")[1]))
        self.sb.send("USR 1 %s %s" % (self.passport, f.tok[5]))
        self.sb.expect("USR")
        self.sb.send("CAL 2 %s" % to)
        self.sb.expect(lambda f: f.cmd == "JOI", timeout=10)

    def msg(self, fields):
        body = "".join("%s: %s\r\n" % kv for kv in fields) + "\r\n"
        payload = ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; "
                   "charset=UTF-8\r\n\r\n" + body).encode()
        self.sb.send("MSG %d N %d" % (self.sb.next_trid() + 10, len(payload)), payload)

    def invite(self, to, name, size):
        if self.sb is None:
            self.open_sb(to)
        self.msg([("Application-Name", "File Transfer"), ("Application-GUID", FT_GUID),
                  ("Invitation-Command", "INVITE"), ("Invitation-Cookie", self.cookie),
                  ("Application-File", name), ("Application-FileSize", str(size))])

    def next_invite(self, timeout=15):
        f = self.sb.expect(lambda f: f.cmd == "MSG" and b"x-msmsgsinvite" in (f.payload or b""),
                           timeout=timeout)
        body = f.payload.split(b"\r\n\r\n", 1)[1].decode()
        return dict(line.split(": ", 1) for line in body.split("\r\n") if ": " in line)

    def close(self):
        for c in (self.sb, self.ns):
            if c is not None:
                c.close()


def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def lines(conn, n):
    buf = b""
    while buf.count(b"\r\n") < n:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").split("\r\n")[:n]


def serve_file(conn, data, announce, auth, blocks=True, fil=None, then=None):
    """The sender side of MSNFTP by hand; returns what the receiver said
    last.  ``fil`` is the size FIL gives (default: ``announce``);
    ``then(conn)`` runs after the data, before reading the answer."""
    conn.settimeout(15)
    assert lines(conn, 1) == ["VER MSNFTP"]
    conn.sendall(b"VER MSNFTP\r\n")
    usr = lines(conn, 1)[0].split()
    if usr[2] != auth:
        conn.close()
        return "refused"
    conn.sendall(b"FIL %d\r\n" % (announce if fil is None else fil))
    tfr = lines(conn, 1)
    if tfr != ["TFR"]:
        return tfr[0] if tfr else ""
    pos = 0
    try:
        while pos < len(data):
            chunk = data[pos:pos + 2045]
            conn.sendall(bytes([0, len(chunk) & 0xff, len(chunk) >> 8]) + chunk)
            pos += len(chunk)
    except OSError:
        # The receiver gave up mid-file (it may have said CCL first: read it).
        pass
    try:
        if then is not None and pos >= len(data):
            then(conn)
        return lines(conn, 1)[0]
    except (OSError, IndexError):
        return "reset" if pos < len(data) else ""


def peer_offers(driver, server, size, dest):
    peer = RawPeer(server, DAN)
    peer.invite(BOB[0], "peer.bin", size)
    accept_offer(driver, dest)
    fields = peer.next_invite()
    assert fields["Invitation-Command"] == "ACCEPT", fields
    return peer


def peer_accept_with(peer, port, auth="4242", **extra):
    fields = [("Invitation-Command", "ACCEPT"), ("Invitation-Cookie", peer.cookie),
              ("IP-Address", "127.0.0.1"), ("Port", str(port)), ("AuthCookie", auth),
              ("Launch-Application", "FALSE"), ("Request-Data", "IP-Address:")]
    fields += list(extra.items())
    peer.msg(fields)


def run_peer_sender(driver, server, data, announce, dest=None, **serve_kw):
    dest = dest or os.path.join(workdir(driver, "dst"), "peer.bin")
    peer = peer_offers(driver, server, announce, dest)
    lst = listener()
    result = {}

    def serve():
        conn, _ = lst.accept()
        result["last"] = serve_file(conn, data, announce, "4242", **serve_kw)
        conn.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    peer_accept_with(peer, lst.getsockname()[1])
    return peer, dest, t, result


@test
def receive_from_raw_peer():
    server, driver = two_users()
    with server, driver:
        data = os.urandom(5000)
        peer, dest, t, result = run_peer_sender(driver, server, data, len(data))
        driver.expect("file-recv-complete", timeout=20, account="b")
        t.join(10)
        assert result.get("last") == "BYE 16777989", result
        assert has_bytes(driver, dest, data)
        peer.close()


@test
def raw_peer_sends_too_much():
    server, driver = two_users()
    with server, driver:
        peer, dest, t, result = run_peer_sender(driver, server, os.urandom(5000), 4000)
        ev = driver.expect("file-recv-cancel", timeout=20, account="b")
        t.join(10)
        assert result.get("last") == "CCL", result
        assert os.path.getsize(dest) <= 4000
        driver.expect("notify", timeout=5, secondary=lambda s: s and "more data" in s)
        note(ev["status_name"])
        peer.close()


@test
def raw_peer_sends_too_little():
    server, driver = two_users()
    with server, driver:
        peer, dest, t, result = run_peer_sender(driver, server, os.urandom(3000), 10000)
        driver.expect("file-recv-cancel", timeout=20, account="b")
        driver.expect("notify", timeout=5,
                      secondary=lambda s: s and "lost at 30%" in s)
        peer.close()


@test
def receiver_cannot_write_the_file():
    """A file that cannot be written (here a full device) stops the sender
    with CCL, not the BYE that says all went well, and the user is told."""
    server, driver = two_users()
    with server, driver:
        peer, dest, t, result = run_peer_sender(driver, server, os.urandom(5000), 5000,
                                                dest="/dev/full")
        driver.expect("file-recv-cancel", timeout=20, account="b")
        driver.expect("notify", timeout=5, secondary=lambda s: s and "Could not write" in s)
        t.join(10)
        # CCL, or -- when the receiver closed with our next block unread --
        # a reset that may discard the CCL on its way: never BYE.
        assert result.get("last") in ("CCL", "reset"), result
        peer.close()


def trickle_empty_blocks(stop):
    """A sender that keeps the connection busy without sending the file:
    an empty block every 200 ms."""
    def run(conn):
        while not stop.is_set():
            conn.sendall(b"\x00\x00\x00")
            stop.wait(0.2)
    return run


@test
def sender_trickling_empty_blocks_stalls_out():
    server, driver = two_users(stall=3)
    with server, driver:
        stop = threading.Event()
        try:
            peer, dest, t, result = run_peer_sender(
                driver, server, os.urandom(3000), 10000,
                then=trickle_empty_blocks(stop))
            driver.expect("file-recv-cancel", timeout=20, account="b")
            driver.expect("notify", timeout=5,
                          secondary=lambda s: s and "stalled at 30%" in s)
        finally:
            stop.set()
        t.join(10)
        peer.close()


@test
def raw_peer_fil_size_differs_from_the_offer():
    server, driver = two_users()
    with server, driver:
        peer, dest, t, result = run_peer_sender(driver, server, os.urandom(3000),
                                                3000, fil=5000)
        driver.expect("file-recv-cancel", timeout=20, account="b")
        driver.expect("notify", timeout=5,
                      secondary=lambda s: s and "another size" in s)
        t.join(10)
        assert os.path.getsize(dest) == 0 if os.path.exists(dest) else True
        peer.close()


@test
def accept_with_another_invitation_cookie_is_ignored():
    """Bob offers Dan (raw) a file; an ACCEPT naming a cookie Bob never
    sent starts nothing; the real one then works."""
    server, driver = two_users()
    with server, driver:
        peer = RawPeer(server, DAN)
        peer.open_sb(BOB[0])
        src = make_file(workdir(driver, "src"), "offer.bin", 100)
        driver.cmd("send_file", id="b", to=DAN[0], file=src)
        inv = peer.next_invite()
        real = inv["Invitation-Cookie"]
        peer.cookie = str((int(real) + 1) % (1 << 32))
        peer.msg([("Invitation-Command", "ACCEPT"), ("Invitation-Cookie", peer.cookie),
                  ("Launch-Application", "FALSE"), ("Request-Data", "IP-Address:")])
        try:
            got = peer.next_invite(timeout=2)
            raise AssertionError(f"answered an ACCEPT for another cookie: {got}")
        except Exception as e:  # noqa: BLE001
            if isinstance(e, AssertionError) and "answered" in str(e):
                raise
        assert not driver.events("file-send-start", account="b")
        assert not driver.events("file-send-cancel", account="b")
        peer.cookie = real
        peer.msg([("Invitation-Command", "ACCEPT"), ("Invitation-Cookie", real),
                  ("Launch-Application", "FALSE"), ("Request-Data", "IP-Address:")])
        acc = peer.next_invite()
        assert acc["Invitation-Command"] == "ACCEPT" and acc["Invitation-Cookie"] == real, acc
        peer.close()


@test
def wrong_auth_cookie_refused():
    """Bob sends to a raw receiver that presents the wrong cookie."""
    server, driver = two_users()
    with server, driver:
        peer = RawPeer(server, DAN)
        peer.open_sb(BOB[0])
        src = make_file(workdir(driver, "src"), "secret.bin", 100)
        driver.cmd("send_file", id="b", to=DAN[0], file=src)
        inv = peer.next_invite()
        assert inv["Invitation-Command"] == "INVITE" and inv["Application-GUID"] == FT_GUID
        assert inv["Application-FileSize"] == "100" and inv["Application-File"] == "secret.bin"
        peer.cookie = inv["Invitation-Cookie"]
        peer.msg([("Invitation-Command", "ACCEPT"), ("Invitation-Cookie", peer.cookie),
                  ("Launch-Application", "FALSE"), ("Request-Data", "IP-Address:")])
        acc = peer.next_invite()
        assert acc["Invitation-Command"] == "ACCEPT" and "AuthCookie" in acc, acc
        conn = socket.create_connection((acc["IP-Address"], int(acc["Port"])), timeout=10)
        conn.sendall(b"VER MSNFTP\r\n")
        assert lines(conn, 1) == ["VER MSNFTP"]
        conn.sendall(b"USR dan@example.com not-the-cookie\r\n")
        assert conn.recv(100) == b"", "the sender answered a wrong cookie"
        ev = driver.expect("file-send-cancel", timeout=10, account="b")
        assert ev["bytes_sent"] == 0
        driver.expect("notify", timeout=5, secondary=lambda s: s and "cookie" in s)
        conn.close()
        peer.close()


@test
def refused_connection_tries_the_other_direction():
    server, driver = two_users()
    with server, driver:
        data = os.urandom(7000)
        dest = os.path.join(workdir(driver, "dst"), "peer.bin")
        peer = peer_offers(driver, server, len(data), dest)
        closed = listener()
        port = closed.getsockname()[1]
        closed.close()          # nothing listens there: connection refused
        peer_accept_with(peer, port)
        back = peer.next_invite()
        assert back["Invitation-Command"] == "ACCEPT" and back.get("Sender-Connect") == "TRUE", back
        conn = socket.create_connection((back["IP-Address"], int(back["Port"])), timeout=10)
        # Reverse direction: the receiver still speaks first.
        assert serve_file(conn, data, len(data), back["AuthCookie"]) == "BYE 16777989"
        conn.close()
        driver.expect("file-recv-complete", timeout=20, account="b")
        assert has_bytes(driver, dest, data)
        peer.close()


@test
def both_directions_fail_clearly():
    server, driver = two_users(timeout=3)
    with server, driver:
        dest = os.path.join(workdir(driver, "dst"), "peer.bin")
        peer = peer_offers(driver, server, 10, dest)
        closed = listener()
        port = closed.getsockname()[1]
        closed.close()
        peer_accept_with(peer, port)
        back = peer.next_invite()
        assert back.get("Sender-Connect") == "TRUE", back
        # The peer never connects back: the receiver gives up, says why,
        # and tells the sender.
        driver.expect("file-recv-cancel", timeout=15, account="b")
        driver.expect("notify", timeout=5, secondary=lambda s: s and "Could not connect" in s)
        cancel = peer.next_invite()
        assert cancel["Invitation-Command"] == "CANCEL" and cancel["Cancel-Code"] == "FTTIMEOUT"
        peer.close()


if __name__ == "__main__":
    main()
