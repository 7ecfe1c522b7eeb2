"""API resources, one module each; importing them registers their routes on `rollout.api.api_v1`."""

from rollout.api.v1 import imports, plans, programmes, progress, replans, scenarios, schools, trainers, training, usage, waves

RESOURCES = (programmes, schools, usage, progress, trainers, waves, plans, replans, scenarios, training, imports)
