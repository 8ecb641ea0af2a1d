"""The local AWS restores a cluster from a snapshot another account shared (moto cannot).

In AWS ``RestoreDBClusterFromSnapshot`` takes a cluster snapshot's name or ARN, and a snapshot
another account shared can only be named by its ARN. Stock moto 5.2 looks ``SnapshotIdentifier`` up by name in the caller's own account only, so an ARN, and above all
another account's snapshot, is "not found". ``install()`` patches moto in the server process:

- a snapshot ARN of the caller's own account and region restores that snapshot;
- a snapshot ARN of another account restores it only when the owner shared it with the caller's
  account (``restore`` attribute holding the account id or ``all``); otherwise
  ``DBClusterSnapshotNotFoundFault``, as AWS answers for a snapshot not shared with you;
- another region is "not found" too: AWS restores only in the snapshot's region (copy first).

Not modelled: for an encrypted snapshot AWS also needs the destination to use the source key
(KMS grant or key policy); moto checks no KMS permission.
"""

from __future__ import annotations

import copy
import re

SNAPSHOT_ARN = re.compile(r"^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):cluster-snapshot:(.+)$")


def shared_with(snapshot, account_id: str) -> bool:
    return bool({account_id, "all"} & set(snapshot.attributes.get("restore", [])))


def install() -> None:
    """Patch moto's RDS RestoreDBClusterFromSnapshot to accept snapshot ARNs (idempotent)."""
    from moto.rds.exceptions import DBClusterSnapshotNotFoundError
    from moto.rds.models import RDSBackend, rds_backends

    original = RDSBackend.restore_db_cluster_from_snapshot
    if getattr(original, "_platform_ops_patched", False):
        return

    def restore_db_cluster_from_snapshot(self, from_snapshot_id: str, overrides: dict):
        match = SNAPSHOT_ARN.match(from_snapshot_id or "")
        if match is None:
            return original(self, from_snapshot_id, overrides)
        region, owner, name = match.groups()
        if region != self.region_name:
            raise DBClusterSnapshotNotFoundError(from_snapshot_id)
        if owner == self.account_id:
            return original(self, name, overrides)
        snapshot = rds_backends[owner][region].cluster_snapshots.get(name)
        if snapshot is None or not shared_with(snapshot, self.account_id):
            raise DBClusterSnapshotNotFoundError(from_snapshot_id)
        # as moto's own restore: the snapshot's cluster settings, overridden by the request
        props = copy.copy(snapshot.cluster.get_cfg())
        props.update({key: value for key, value in overrides.items() if value})
        return self.create_db_cluster(props)

    restore_db_cluster_from_snapshot._platform_ops_patched = True
    RDSBackend.restore_db_cluster_from_snapshot = restore_db_cluster_from_snapshot
