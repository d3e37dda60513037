"""
moto_server as the tests start it (test/support/moto.ts), changed only in how fast it answers.

Python's cyclic garbage collector: moto holds millions of objects after a reset and warm-up
(IAM's ~1,600 managed policies per account, EC2's catalogues), and a full collection of them
took 0.2-0.5 s here, every second or so, stalling every request in flight. A gc.callbacks probe
found it while `npm run bench` measured the install (test/README.md). So every second what is
alive is frozen (gc.freeze: later collections skip it), and each /moto-api/reset unfreezes and
collects the discarded backends. Short-lived garbage is still collected as usual.

werkzeug's line per request is not printed: the harness only keeps a tail of the output for
start-up errors, and formatting thousands of lines costs moto time too.
"""
import gc
import logging
import sys
import threading

from moto.moto_api._internal.models import MotoAPIBackend
from moto.server import main

FREEZE_EVERY_S = 1.0

_reset = MotoAPIBackend.reset


def _reset_and_collect(self):
    _reset(self)
    gc.unfreeze()
    gc.collect()


def _freeze_forever():
    stop = threading.Event()
    while not stop.wait(FREEZE_EVERY_S):
        gc.freeze()


MotoAPIBackend.reset = _reset_and_collect
threading.Thread(target=_freeze_forever, name="gc-freeze", daemon=True).start()
logging.getLogger("werkzeug").setLevel(logging.WARNING)
sys.exit(main())
