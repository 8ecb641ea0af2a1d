"""The casing adapter the machine tests use; it lives in ``platform_ops.local.moto_casing``
because ``local/refresh_seed`` deploys the refresh machines through it for ``make demo`` too."""

from platform_ops.local.moto_casing import to_moto

__all__ = ["to_moto"]
