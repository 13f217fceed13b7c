# A student's nbgrader: the shared exchange, one folder per course, courses from hub groups
# (nbgrader-<course>). The exchange root comes from the spawner's environment.
import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821
c.Exchange.root = os.environ["STOREOPS_EXCHANGE"]
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin
