"""Step Functions support: the ASL validator and its botocore-model lookups."""
