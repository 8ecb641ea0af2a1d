"""The local AWS (a patched moto server) and its seeding, shared by tests and `make demo`.

``local/`` depends on the features, never the reverse:

- ``moto_patched``: the server entry point, which installs the patches ``moto_events`` (native
  events), ``moto_sfn_credentials`` (tasks act in the account of their role),
  ``moto_rds_sharing`` (restores from another account's shared snapshot), ``moto_sfn_validate``
  (the definition-validation calls terraform makes), ``moto_cloudfront`` (invalidations in
  progress until read back) and ``drill_double`` (alarms that follow the drills' route cuts);
  ``server``: start, reset and stop it;
- ``connections`` and ``clients``: Airflow connections and boto3 clients per registry account;
- ``seed.SEEDERS``: the one list of seeders; a feature's seeder is ``<feature>_seed.py``
  (``sox_seed``, ``snapshots_seed``, ``cdn_seed``); ``drill_stack`` applies the ``dr-platform``
  stack for the drills (demo and tests);
- ``moto_hooks.DOUBLES``: the one list of container doubles; a feature's double is
  ``<feature>_double.py`` (``sox_double``).
"""
