"""The bridge between the database and the pure `planner`: scenarios out, plans in."""
