"""Progress per school: milestones, their planned dates from the baseline, the status colour,
and updates by form, API and bulk upload, each written with its audit event."""
