"""Reaching AWS: ``access`` (a provider hook per account, service and Region) and the artifacts bucket."""
