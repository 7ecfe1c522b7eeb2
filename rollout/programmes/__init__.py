"""A programme's reference data besides schools: basins, waves and trainers, edited by district
leaders through forms, imports and the API, with the same validation and audit whatever the
channel. The import machinery shared with schools lives in `rollout.programmes.imports`."""
