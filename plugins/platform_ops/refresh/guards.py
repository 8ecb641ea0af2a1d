"""Guards of a refresh: it never writes to production.

Twice: ``registry.check_refresh_destination`` refuses a production destination when the registry
is read (DAG parse), and ``check_destination_identity`` runs first in ``preflight``, before any
mutating call: the destination connection's STS GetCallerIdentity must answer the registry's
destination account, and that account must not be production. A connection pointed at the wrong
account (a copied connection, a wrong role ARN) is refused there. Deletes are tag-gated in the
machines themselves (``refresh=true``, never in ``ProtectedAccountIds``).
"""

from __future__ import annotations

from platform_ops.registry import RegistryError, check_refresh_destination


class RefreshRefused(RuntimeError):
    """A refresh that must not run: the destination is production, or not the account it claims."""


def check_destination_identity(dest, caller_account_id: str, accounts) -> None:
    """``caller_account_id`` (STS through the destination connection) must be the registry's destination.

    ``accounts`` is every registry account: an answer that is a production account is refused by
    name, whatever the destination entry says.
    """
    try:
        check_refresh_destination(dest)
    except RegistryError as err:
        raise RefreshRefused(str(err)) from None
    production = {a.account_id: a.name for a in accounts if a.production}
    if caller_account_id in production:
        raise RefreshRefused(
            f"refresh {dest.name}: connection {dest.destination.aws_conn_id} reaches account {caller_account_id} "
            f"({production[caller_account_id]}, production); a refresh never writes to production"
        )
    if caller_account_id != dest.destination.account_id:
        raise RefreshRefused(
            f"refresh {dest.name}: connection {dest.destination.aws_conn_id} reaches account {caller_account_id}, "
            f"not the registry's destination {dest.destination.name} ({dest.destination.account_id}); fix the connection"
        )


def protected_account_ids(accounts) -> list[str]:
    """Every production account: the machines refuse to delete or rename anything in them."""
    return sorted({a.account_id for a in accounts if a.production})
