"""DR drills as declared experiments: spec, targets, fault and rollback, stop watch, report."""
