"""``storeops hub``: a trial class on this machine (JupyterHub + nbgrader exchange)."""

from __future__ import annotations

import signal
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "hub",
        help="start a trial class on JupyterHub on this machine (root; local accounts)",
        description="Create local student accounts, an instructor-only "
        "copy of the course with its seed file, the nbgrader exchange, then run JupyterHub "
        "on 127.0.0.1 until Ctrl-C. See grader/hub/README.md.",
    )
    p.add_argument("--root", type=Path, default=Path("/srv/storeops-hub"))
    p.add_argument("--port", type=int, default=18000)
    p.add_argument("--students", default="student1,student2")
    p.add_argument("--password", default="storeops", help="the trial's shared password")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from storeops.hub.run import Hub

    hub = Hub(
        args.root,
        port=args.port,
        students=[s for s in args.students.split(",") if s],
        password=args.password,
    )

    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C and a service manager's SIGTERM both stop the hub and its servers (a
    # background job starts with SIGINT ignored)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    hub.setup()
    hub.start()
    print(hub.welcome(), flush=True)
    try:
        hub.wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0
