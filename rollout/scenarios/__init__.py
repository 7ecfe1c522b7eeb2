"""Named what-if scenarios of a programme: its current data with edits that never touch it
(`planner.whatif` defines the edits), saved by name, solved in the background and exported as
`rollout-scenario/1`."""
