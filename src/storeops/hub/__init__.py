"""A real class on JupyterHub: private per-student stores, the hub, the PostgreSQL gradebook."""
