"""Manual RDS / Aurora snapshots with a DR-Region copy and retention (DAG ``rds_snapshots``)."""
