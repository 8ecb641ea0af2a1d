"""CloudFront invalidations (DAG ``cdn_invalidation``)."""
