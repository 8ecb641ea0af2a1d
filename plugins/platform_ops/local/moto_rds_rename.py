"""The local AWS keeps an Aurora cluster's instances when the cluster is renamed.

In AWS, ``ModifyDBCluster`` with ``NewDBClusterIdentifier`` renames the cluster and its instances
stay its members (their ``DBClusterIdentifier`` follows). moto 5.2 keeps each instance's old
cluster identifier, so after the refresh's swap (target -> ``-old``, ``-restore`` -> target) the
renamed-in cluster would claim the old cluster's instances and ``-old`` would have none.
``install()`` moves the members along with the rename.
"""

from __future__ import annotations


def install() -> None:
    """Patch moto's RDS ModifyDBCluster rename to carry the members (idempotent)."""
    from moto.rds.models import DBInstanceClustered, RDSBackend

    original = RDSBackend.modify_db_cluster
    if getattr(original, "_platform_ops_patched", False):
        return

    def modify_db_cluster(self, kwargs):
        old, new = kwargs.get("db_cluster_identifier"), kwargs.get("new_db_cluster_identifier")
        members = [
            db for db in self.databases.values()
            if isinstance(db, DBInstanceClustered) and db.db_cluster_identifier == old
        ]  # fmt: skip
        result = original(self, kwargs)
        if new and new != old:
            for db in members:
                db.db_cluster_identifier = new
        return result

    modify_db_cluster._platform_ops_patched = True
    RDSBackend.modify_db_cluster = modify_db_cluster
