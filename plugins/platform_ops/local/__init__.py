"""The local AWS (a patched moto server) and its seeding, shared by tests and `make demo`.

``local/`` depends on the features, never the reverse:

- ``moto_patched``: the server entry point; ``server``: start, reset and stop it;
- ``connections`` and ``clients``: Airflow connections and boto3 clients per registry account;
- ``seed.SEEDERS``: the one list of seeders; a feature's seeder is ``<feature>_seed.py``
  (``sox_seed``; next ``refresh_seed`` for the database refresh, ``drills_seed`` for the DR drills);
- ``moto_hooks.DOUBLES``: the one list of container doubles; a feature's double is
  ``<feature>_double.py`` (``sox_double``; next ``refresh_double``, ``drills_double``).
"""
