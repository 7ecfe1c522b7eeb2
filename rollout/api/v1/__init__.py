"""API resources, one module each; importing them registers their routes on `rollout.api.api_v1`."""

from rollout.api.v1 import progress, schools, usage

RESOURCES = (schools, usage, progress)
