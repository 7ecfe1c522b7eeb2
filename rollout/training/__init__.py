"""Training delivery: the cascade as it really happens (`../shared/contracts/training.md`).

Sessions delivered face to face or online, the trainers they trained, M@gistère course progress
per school, dated Pix+ Édu certifications, the planned sessions of the adopted plan with each
trainer's private calendar feed, and the milestones that follow from all of them.
"""
