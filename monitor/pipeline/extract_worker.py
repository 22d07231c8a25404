"""Imported only by the extraction pool's forkserver (and so inherited by every worker it
forks): the extraction processes ignore SIGTERM and SIGINT.

The daemon stops its workers itself when it shuts down (`Extractor.close`). A TERM sent to
the whole process group (a supervisor's `kill -- -PGID`, Ctrl-C in a terminal) would
otherwise kill the forkserver and the workers at once, before the daemon can reap them,
leaving zombies behind it. A worker stuck on a page is still stopped, with SIGKILL.
"""

import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
