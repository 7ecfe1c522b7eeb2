"""Reference data about French collèges that the product itself uses: the national file
(`national_file`), the clustering of its communes into basins (`clustering`) and the estimate
of a collège's teachers (`teachers`).

The national import and the shipped datasets share these, so they live here rather than in
either. Standard library only: no Flask, no database, no other rollout package.
"""
