#!/usr/bin/env python3
"""Writes each datagram sent to 127.0.0.1:PORT into DIR as NAME-N.bin.

The seed corpora come from real clients: point one at this listener, e.g.
  fuzz/tools/capture_requests.py 6969 fuzz/corpus/packet tftp-hpa &
  tftp 127.0.0.1 6969 -c get boot.img
It answers nothing, so a client sends its request and its retries; it stops
after SECONDS (default 3).
"""
import socket
import sys
import time

port, out_dir, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", port))
deadline = time.monotonic() + seconds
count = 0
seen = set()
while (left := deadline - time.monotonic()) > 0:
    sock.settimeout(left)
    try:
        datagram, _ = sock.recvfrom(65535)
    except socket.timeout:
        break
    if datagram not in seen:
        with open(f"{out_dir}/{name}-{count}.bin", "wb") as f:
            f.write(datagram)
        count += 1
        seen.add(datagram)
