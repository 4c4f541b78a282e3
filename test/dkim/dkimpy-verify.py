#!/usr/bin/python3
# Independent DKIM verification with dkimpy (Debian's python3-dkim): reads the message on stdin,
# the published TXT record from DKIM_TXT (as its DNS would serve it), prints "pass" or "fail".
# On a failure dkimpy's reasons and the message go to stderr, which the tests show.
import logging, os, sys
import dkim

txt = os.environ["DKIM_TXT"].encode()
msg = sys.stdin.buffer.read()
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG, format="dkimpy: %(message)s")
try:
    # As dkim.verify, which turns every DKIMException into False, but keeping the reason.
    ok = dkim.DKIM(msg, logger=logging.getLogger("dkimpy")).verify(dnsfunc=lambda name, timeout=5: txt)
except dkim.DKIMException as e:
    logging.getLogger("dkimpy").error("%s", e)
    ok = False
print("pass" if ok else "fail")
if not ok:
    sys.stderr.write(msg.decode("latin-1"))
