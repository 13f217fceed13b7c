"""JupyterHub for a Store Ops Workbook class, nbgrader's multi-course layout.

Started by ``storeops hub`` (storeops.hub.run), which prepares the folders and accounts and
passes the settings below in the environment:

* the course ``storeops`` is a hub service, a Jupyter server run from the instructor-only
  course folder with formgrader (grader/hub/service/), reachable by the group
  ``formgrade-storeops``;
* students (group ``nbgrader-storeops``) are local accounts whose servers run as
  themselves (storeops.hub.spawner) with grader/hub/student/ as their Jupyter config:
  the Assignments list and Validate, no instructor extension; each gets their private
  store in ~/store before the server starts (storeops.hub.stores.pre_spawn_hook);
* the exchange is one shared folder (world-writable, sticky), one subfolder per course;
* the check service ``storeops-check`` (storeops.hub.check_service) holds the answer keys
  of each student's store and answers their ``qK.check()`` (``$STOREOPS_CHECK_SERVICE=off``
  leaves it out; ``$STOREOPS_CHECK_LIMIT``, ``_COOLDOWN``, ``_TOKEN_TTL``, ``_PROCESSES``
  and ``_DB`` pass on to it). Kernels call it on its own port, not through the proxy.
"""

import os
import sys
from pathlib import Path

from storeops.hub.stores import pre_spawn_hook

c = get_config()  # noqa: F821

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ROOT = Path(os.environ["STOREOPS_HUB_ROOT"])
PORT = int(os.environ.get("STOREOPS_HUB_PORT", "18000"))
COURSE = os.environ.get("STOREOPS_HUB_COURSE", "storeops")
INSTRUCTOR = os.environ.get("STOREOPS_HUB_INSTRUCTOR", "instructor")
STUDENTS = [s for s in os.environ.get("STOREOPS_HUB_STUDENTS", "").split(",") if s]
COURSE_DIR = ROOT / "instructor" / "course" / "grader"
EXCHANGE = ROOT / "exchange"
CHECK = "storeops-check"
CHECKS_ON = os.environ.get("STOREOPS_CHECK_SERVICE", "on").lower() not in ("off", "0", "no")

# Loopback only; the proxy's API and the hub one and two ports above the public port.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'instructor' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "instructor" / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True

# A trial's accounts: one shared password (DummyAuthenticator). A real class uses the
# institution's login (OAuthenticator, LTI) instead: grader/README.md "Deploying".
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["STOREOPS_HUB_PASSWORD"]
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}
# nbgrader's course list fails for non-admin instructors (nbgrader #1831)
c.Authenticator.admin_users = {INSTRUCTOR}

c.JupyterHub.spawner_class = "storeops.hub.spawner.StudentSpawner"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.environment = {
    "JUPYTER_CONFIG_DIR": str(ROOT / "student-config"),
    "STOREOPS_EXCHANGE": str(EXCHANGE),
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
}
CHECK_URL = f"http://127.0.0.1:{PORT + 4}"
if CHECKS_ON:  # the kernels' check() asks the check service directly: the proxy (one node
    # process) would add a hop to every check, and the service checks the token itself
    c.Spawner.environment["STOREOPS_CHECK_URL"] = f"{CHECK_URL}/services/{CHECK}/check"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180

c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": [INSTRUCTOR]},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    # instructors reach the course's formgrader (nbgrader #1900: services need a scope)
    {
        "name": f"formgrade-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [f"access:services!service={COURSE}", "list:services", "read:services"],
    },
    # students' servers ask the hub which courses their user is in (the user's groups)
    {"name": "server", "scopes": ["inherit"]},
    # the course service enrols students in its group (nbgrader's JupyterHubAuthPlugin)
    {
        "name": f"course-{COURSE}",
        "services": [COURSE],
        "scopes": ["list:users", "read:users", "list:groups", "read:groups", "admin:groups"],
    },
    # storeops hub itself (and the tests) start servers and make tokens through the API
    {
        "name": "storeops-admin",
        "services": ["storeops-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups", "list:services"],
    },
]
if CHECKS_ON:
    c.JupyterHub.load_roles += [
        # students may call the check service (its HubAuth requires this scope) ...
        {
            "name": f"check-{COURSE}",
            "groups": [f"nbgrader-{COURSE}"],
            "scopes": [f"access:services!service={CHECK}"],
        },
        # ... which resolves their tokens through the hub and needs nothing else
        {"name": f"{CHECK}-service", "services": [CHECK], "scopes": ["read:users:name"]},
    ]
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": f"http://127.0.0.1:{PORT + 3}",
        "command": [str(BIN / "jupyterhub-singleuser"), "--allow-root"],
        "cwd": str(COURSE_DIR),
        "oauth_no_confirm": True,
        "environment": {
            "JUPYTER_CONFIG_DIR": str(ROOT / "service-config"),
            "STOREOPS_COURSE_DIR": str(COURSE_DIR),
            "STOREOPS_COURSE_SEED_FILE": os.environ["STOREOPS_COURSE_SEED_FILE"],
            "STOREOPS_EXCHANGE": str(EXCHANGE),
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
        },
    },
    {"name": "storeops-admin", "api_token": os.environ["STOREOPS_HUB_ADMIN_TOKEN"]},
]
if CHECKS_ON:
    c.JupyterHub.services.append(
        {
            "name": CHECK,
            "url": CHECK_URL,
            "command": [sys.executable, "-m", "storeops.hub.check_service"],
            "cwd": str(COURSE_DIR),
            "environment": {
                "STOREOPS_COURSE_DIR": str(COURSE_DIR),
                "STOREOPS_COURSE_SEED_FILE": os.environ["STOREOPS_COURSE_SEED_FILE"],
                "STOREOPS_CHECK_STUDENTS": ",".join(STUDENTS),  # their keys computed at start
                **{
                    k: v
                    for k, v in os.environ.items()
                    if k
                    in [
                        f"STOREOPS_CHECK_{n}"
                        for n in ("LIMIT", "COOLDOWN", "TOKEN_TTL", "PROCESSES", "DB")
                    ]
                },
            },
        }
    )
