"""platform_ops: the Python package behind the platform DAGs (hooks, Terraform runner, local AWS)."""
