"""Terraform for the DAGs: tool discovery, the CLI runner, workspaces, plan summaries and drift."""
