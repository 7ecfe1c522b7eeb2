"""`python -m rollout`: the `rollout` command, as `rollout demo` starts its worker with the same Python."""

from rollout.cli import main

main()
