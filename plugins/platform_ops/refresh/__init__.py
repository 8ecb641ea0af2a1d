"""The cross-account refresh: helper Lambda packages (and, later, the refresh DAG's domain logic)."""
