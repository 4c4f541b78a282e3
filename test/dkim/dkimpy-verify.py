#!/usr/bin/python3
# Independent DKIM verification with dkimpy (Debian's python3-dkim): reads the message on stdin,
# the published TXT record from DKIM_TXT (as its DNS would serve it), prints "pass" or "fail".
import os, sys
import dkim

txt = os.environ["DKIM_TXT"].encode()
msg = sys.stdin.buffer.read()
ok = dkim.verify(msg, dnsfunc=lambda name, timeout=5: txt)
print("pass" if ok else "fail")
