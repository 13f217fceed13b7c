# The course's grader server, a JupyterHub service run from the course folder: formgrader
# for the instructors (group formgrade-<course>). JupyterHub >= 4.1 forbids framing by
# default, which blanks formgrader's iframe in JupyterLab: allow framing by the same origin
# (hub, services and users' servers share the proxy's origin). Formgrader also opens in its
# own tab at /services/<course>/formgrader.
c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
