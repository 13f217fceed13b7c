# A student's server (JUPYTER_CONFIG_DIR of every student, set by grader/hub/jupyterhub_config.py):
# nbgrader's Assignments list and Validate only; no formgrader, course list or create-assignment.
c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
