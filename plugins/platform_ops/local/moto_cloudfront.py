"""CloudFront invalidations in the local AWS move from ``InProgress`` to ``Completed`` as on AWS.

Stock moto answers every invalidation ``COMPLETED`` (upper case) at once; AWS answers
``InProgress`` and later ``Completed``, which is what botocore's ``InvalidationCompleted`` waiter
and the ``cdn_invalidation`` DAG wait for. ``install()`` patches moto in the server process so
that a new invalidation is ``InProgress`` in the CreateInvalidation answer and for
``MOTO_INVALIDATION_SECONDS`` (server environment, default 0) after it, then ``Completed``.
As on AWS, a second CreateInvalidation with the same caller reference and paths returns the
first invalidation (moto makes a new one), so a retried task does not invalidate twice.
"""

from __future__ import annotations

import os
import time

SECONDS_VAR = "MOTO_INVALIDATION_SECONDS"


def _status(self) -> str:
    fresh = getattr(self, "_platform_ops_fresh", False)
    return "InProgress" if fresh or time.time() < getattr(self, "_platform_ops_done_at", 0.0) else "Completed"


def install() -> None:
    """Patch moto's ``Invalidation`` (idempotent)."""
    from moto.cloudfront import models

    cls = models.Invalidation
    if getattr(cls, "_platform_ops_patched", False):
        return
    original_init = cls.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._platform_ops_fresh = True  # until read back: CreateInvalidation answers InProgress
        self._platform_ops_done_at = time.time() + float(os.environ.get(SECONDS_VAR) or 0)

    backend = models.CloudFrontBackend
    original_get = backend.get_invalidation

    def get_invalidation(self, dist_id: str, id: str):
        invalidation = original_get(self, dist_id, id)
        invalidation._platform_ops_fresh = False
        return invalidation

    backend.get_invalidation = get_invalidation
    original_create = backend.create_invalidation

    def create_invalidation(self, dist_id: str, paths: list[str], caller_ref: str):
        for existing in self.invalidations.get(dist_id, []):
            if existing.caller_ref == caller_ref and list(existing.paths) == list(paths):
                return existing
        return original_create(self, dist_id, paths, caller_ref)

    backend.create_invalidation = create_invalidation

    def _set(self, value) -> None:  # moto's __init__ assigns "COMPLETED"; the property decides
        pass

    cls.__init__ = __init__
    cls.status = property(_status, _set)
    cls._platform_ops_patched = True
