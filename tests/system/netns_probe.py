"""Run the app in a network namespace that has only loopback, and record every outside attempt.

Started by tests/system/test_network_isolation.py as
`unshare --net --mount -- python tests/system/netns_probe.py RESULT.json` (root only). Inside
the new namespaces it:

- brings `lo` up and routes every IPv4/IPv6 address to it (`ip route add local 0.0.0.0/0`),
  so a connection to any outside address lands here and can be seen instead of failing;
- bind-mounts a resolv.conf naming 127.0.0.1 over /etc/resolv.conf (private to this mount
  namespace) and answers every DNS query there (UDP and TCP 53): A queries get 192.0.2.1
  (TEST-NET-1, routed to lo), so a lookup goes on to a connection we also see;
- listens on ports 80 and 443 of every address and holds each connection unanswered, as a
  firewall that drops packets would, so a blocking fetch costs its full timeout;
- records every packet on `lo` whose destination is not loopback (any other port);
- starts `streamlit run app.py` with the shipped .streamlit/config.toml (no --server.address)
  and an empty data folder, waits for health and the start banner, then in phases: foreign-Origin
  websocket upgrades to /_stcore/stream while timing /_stcore/health back to back; one script
  run over a same-origin websocket (the app's own code runs only then under plain
  `streamlit run`); the same upgrades again; and reads which addresses the server listens on.

It writes what it saw as JSON and asserts nothing: the test does.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAKE_OUTSIDE_IP = "192.0.2.1"
FOREIGN_ORIGINS = ["http://evil.example", "https://attacker.test:8443",
                   "http://203.0.113.9:8501", "https://companion.example.org.evil.test"]
START_TIMEOUT_S = 45
UPGRADE_TIMEOUT_S = 20


class Recorder:
    """Everything that reached a sink, in arrival order."""

    def __init__(self):
        self._lock = threading.Lock()
        self.events: list[dict] = []

    def add(self, **event) -> None:
        event["t"] = round(time.monotonic(), 3)
        with self._lock:
            self.events.append(event)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.events)


def run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def isolate() -> None:
    """Loopback only; every address routed to it; DNS pointed at our sink."""
    run("ip", "link", "set", "lo", "up")
    run("ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo")
    try:
        run("ip", "-6", "route", "add", "local", "::/0", "dev", "lo")
    except subprocess.CalledProcessError:
        pass  # no IPv6 in this kernel: IPv4 is still covered
    resolv = Path(tempfile.mkdtemp(prefix="netns-")) / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    run("mount", "--bind", str(resolv), "/etc/resolv.conf")


# -- sinks ----------------------------------------------------------------------------------

def _dns_name(packet: bytes, offset: int = 12) -> tuple[str, int]:
    labels = []
    while offset < len(packet) and packet[offset]:
        length = packet[offset]
        labels.append(packet[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    return ".".join(labels), offset + 1


def dns_answer(query: bytes, rec: Recorder, transport: str) -> bytes:
    """Record the question; answer A with FAKE_OUTSIDE_IP, anything else with no records."""
    name, end = _dns_name(query)
    qtype = struct.unpack("!H", query[end:end + 2])[0] if len(query) >= end + 2 else 0
    rec.add(sink="dns", transport=transport, name=name, qtype=qtype)
    question = query[12:end + 4]
    answers = b""
    if qtype == 1:
        answers = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4)
                   + socket.inet_aton(FAKE_OUTSIDE_IP))
    header = query[:2] + struct.pack("!HHHHH", 0x8180, 1, 1 if answers else 0, 0, 0)
    return header + question + answers


def serve_dns_udp(rec: Recorder) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 53))
    while True:
        query, peer = sock.recvfrom(4096)
        sock.sendto(dns_answer(query, rec, "udp"), peer)


def serve_tcp(port: int, rec: Recorder) -> None:
    """Accept on every address (dual stack) and record; DNS over TCP is answered, others held."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("::", port))
    sock.listen(64)
    held = []
    while True:
        conn, peer = sock.accept()
        local = conn.getsockname()
        if port == 53:
            conn.settimeout(2)
            try:
                length = struct.unpack("!H", conn.recv(2))[0]
                answer = dns_answer(conn.recv(length), rec, "tcp")
                conn.sendall(struct.pack("!H", len(answer)) + answer)
            except OSError:
                pass
            conn.close()
        else:
            rec.add(sink="tcp", port=port, to=local[0], peer=peer[0])
            held.append(conn)  # never answered: the caller waits out its timeout


def sniff_lo(rec: Recorder) -> None:
    """Every new connection (TCP SYN) or datagram on lo bound for a non-loopback address."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind(("lo", 0))
    while True:
        frame, (_, _, pkttype, _, _) = sock.recvfrom(65535)
        if pkttype == socket.PACKET_OUTGOING:
            continue  # lo shows each packet twice: keep the received copy
        ethertype = struct.unpack("!H", frame[12:14])[0]
        if ethertype == 0x0800 and len(frame) >= 34:
            proto, dst, l4 = frame[23], socket.inet_ntoa(frame[30:34]), 14 + (frame[14] & 15) * 4
            outside = not dst.startswith("127.")
        elif ethertype == 0x86DD and len(frame) >= 54:
            proto, dst, l4 = frame[20], socket.inet_ntop(socket.AF_INET6, frame[38:54]), 54
            outside = dst != "::1"
        else:
            continue
        if not outside or len(frame) < l4 + 14:
            continue
        if proto == 6 and frame[l4 + 13] & 0x12 != 0x02:
            continue  # TCP: only the opening SYN of a connection
        port = struct.unpack("!H", frame[l4 + 2:l4 + 4])[0]
        rec.add(sink="packet", to=dst, proto={6: "tcp", 17: "udp"}.get(proto, proto), port=port)


def start_sinks(rec: Recorder) -> None:
    workers = [(serve_dns_udp, ()), (serve_tcp, (53,)), (serve_tcp, (80,)),
               (serve_tcp, (443,)), (sniff_lo, ())]
    for target, args in workers:
        threading.Thread(target=target, args=(*args, rec), daemon=True).start()


# -- the app --------------------------------------------------------------------------------

def app_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STREAMLIT_") and k not in ("COMPANION_DATABASE_URL",
                                                          "COMPANION_COOKIE_KEY")}
    env.update({
        "COMPANION_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'companion.db'}",
        "COOKIE_KEY": secrets.token_urlsafe(36),
        "BCRYPT_ROUNDS": "4",
        "COMPANION_SECRETS_FILE": str(data / "no-secrets.toml"),
        "HOME": str(data),  # no ~/.streamlit/credentials.toml from the machine
    })
    return env


def health_ms(port: int, timeout: float = 30) -> float | None:
    """One GET /_stcore/health on a fresh connection; milliseconds, None when it failed."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET /_stcore/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Connection: close\r\n\r\n".encode())
            ok = s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return None
    return round((time.monotonic() - started) * 1000, 1) if ok else None


def foreign_upgrade(port: int, origin: str) -> str:
    """A websocket upgrade to /_stcore/stream from another site; the status line back."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: {origin}\r\n\r\n")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=UPGRADE_TIMEOUT_S) as s:
            s.sendall(request.encode())
            return s.recv(128).split(b"\r\n", 1)[0].decode("latin-1")
    except OSError as exc:
        return f"error: {exc}"


def listening(pid: int) -> list[dict]:
    """The sockets the server process has bound (TCP listening, any UDP), from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/net/{proto}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if inode not in inodes or (proto.startswith("tcp") and state != "0A"):
                continue
            hex_ip, hex_port = local.split(":")
            raw = bytes.fromhex(hex_ip)
            if proto.endswith("6"):
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                address = socket.inet_ntop(socket.AF_INET6, raw)
            else:
                address = socket.inet_ntoa(raw[::-1])
            found.append({"proto": proto, "address": address, "port": int(hex_port, 16)})
    return found


def wait_for_start(proc: subprocess.Popen, log: Path, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if health_ms(port, timeout=2) is not None and "You can now view" in log.read_text():
            return
        time.sleep(0.1)  # polling a condition with a deadline
    raise RuntimeError("the app did not start:\n" + log.read_text()[-3000:])


def upgrades_while_timing_health(port: int) -> dict:
    """Foreign-Origin upgrades all at once, with /_stcore/health timed back to back meanwhile."""
    done = threading.Event()
    latencies: list[float | None] = []

    def probe_health() -> None:
        while not done.is_set():
            latencies.append(health_ms(port))

    prober = threading.Thread(target=probe_health)
    prober.start()
    with ThreadPoolExecutor(max_workers=len(FOREIGN_ORIGINS)) as pool:
        statuses = list(pool.map(lambda origin: foreign_upgrade(port, origin), FOREIGN_ORIGINS))
    done.set()
    prober.join()
    latencies.append(health_ms(port))
    return {"upgrade_status": statuses, "health_ms": latencies}


def first_run(port: int) -> str:
    """Open the app as its own page would (same origin) and run the script once: "ok" or why not."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    try:
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", origin=f"http://127.0.0.1:{port}",
                     subprotocols=["streamlit"], proxy=None, max_size=None,
                     open_timeout=10, ping_interval=None) as ws:
            ws.send(msg.SerializeToString())
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                fwd = ForwardMsg()
                fwd.ParseFromString(ws.recv(timeout=deadline - time.monotonic()))
                if fwd.WhichOneof("type") == "script_finished":
                    return "ok"
    except Exception as exc:  # reported to the test, which shows it
        return f"error: {exc!r}"
    return "error: no end of the script run within 60 s"


def probe(result_path: Path) -> None:
    isolate()
    rec = Recorder()
    start_sinks(rec)
    data = Path(tempfile.mkdtemp(prefix="companion-netns-"))
    env = app_env(data)
    t0 = time.monotonic()
    port = 8501
    log = data / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                                 "--server.port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    result: dict = {}
    try:
        wait_for_start(proc, log, port)
        result["start_s"] = round(time.monotonic() - t0, 2)
        seen = len(rec.snapshot())
        result["start"] = {"outside": rec.snapshot()}

        def phase(name: str, action) -> None:
            nonlocal seen
            started = time.monotonic()
            result[name] = action()
            result[name]["seconds"] = round(time.monotonic() - started, 2)
            events = rec.snapshot()
            result[name]["outside"] = events[seen:]
            seen = len(events)

        phase("before_first_run", lambda: upgrades_while_timing_health(port))
        phase("first_run", lambda: {"status": first_run(port)})
        phase("after_first_run", lambda: upgrades_while_timing_health(port))
        result["listening"] = listening(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        result["log_tail"] = log.read_text(errors="replace")[-3000:]
        result_path.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    probe(Path(sys.argv[1]))
