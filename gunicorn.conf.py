"""gunicorn's settings beyond the Procfile's flags.

gunicorn reads `./gunicorn.conf.py` from the directory it starts in (the app's root on a
Procfile host, the clone for `rollout demo` run as the README says); the command line's flags
are applied after this file, so the Procfile's stay in force. Hooks only: their logic is in
rollout/serve.py.
"""

from rollout.serve import freeze_start_up_objects

# After the app is loaded in each worker (no --preload: each worker loads its own), so that the
# app's start-up objects are frozen out of the garbage collector's full collections.
post_worker_init = freeze_start_up_objects
