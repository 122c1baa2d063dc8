#!/usr/bin/env python3
"""Records what a real QEMU answers to the QMP script in qmp-script.txt, byte for byte.

Usage: record-transcript.py OUTPUT [QEMU_BINARY]
Starts QEMU as `-nodefaults -display none -machine none -qmp unix:SOCKET,server=on,wait=off`, connects, and for each
script line sends the input exactly (it is a JSON string whose characters U+0000-U+00FF are the bytes to send), then
reads until QEMU has been quiet for 0.5 s. The transcript has one `>` line per input followed by one `<` line per line
of output (without its CRLF). Used by the emulator's byte-layout test and the differential integration test.
"""
import json, os, socket, subprocess, sys, tempfile, time

def main():
    out_path = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "qemu-system-x86_64"
    here = os.path.dirname(os.path.abspath(__file__))
    inputs = [json.loads(l) for l in open(os.path.join(here, "qmp-script.txt"), encoding="utf-8")
              if l.strip() and not l.startswith("#")]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "qmp.sock")
        qemu = subprocess.Popen([binary, "-nodefaults", "-display", "none", "-machine", "none",
                                 "-qmp", f"unix:{path},server=on,wait=off"])
        for _ in range(200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.settimeout(0.5)

        def read_quiet():
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except socket.timeout:
                pass
            return data

        lines = [f"# {version}", "# recorded by record-transcript.py: -nodefaults -display none -machine none -qmp unix:...,server=on,wait=off"]
        greeting = read_quiet()
        lines += ["< " + l.decode("latin1") for l in greeting.split(b"\r\n") if l]
        for text in inputs:
            s.sendall(text.encode("latin1"))
            lines.append("> " + json.dumps(text))
            lines += ["< " + l.decode("latin1") for l in read_quiet().split(b"\r\n") if l]
        qemu.wait(timeout=10)
    with open(out_path, "w", encoding="latin1", newline="\n") as f:
        f.write("\n".join(lines) + "\n")

main()
