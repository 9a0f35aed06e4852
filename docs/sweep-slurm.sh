#!/usr/bin/env bash
# A Corridor sweep as a Slurm job array: array task i runs job i of a plan on the cluster's shared filesystem.
#
#   1. Plan it (on a login node, in the Corridor checkout, after `npm install`):
#        npx corridor sweep scenarios/standard-vs-fast.json --vary tier=fast,standard --vary fee.bps=0,5,10 \
#          --replications 10 --plan "$HOME/sweeps/fee-by-tier"
#      It prints the number of jobs N (here 60).
#   2. Submit the array, indexes 0 to N-1, and the merge to run once every task has ended:
#        jobid=$(sbatch --parsable --array=0-59%16 --export=ALL,PLAN="$HOME/sweeps/fee-by-tier" docs/sweep-slurm.sh)
#        sbatch --dependency=afterany:"$jobid" --wrap "npx corridor sweep --collect $HOME/sweeps/fee-by-tier"
#   3. sweep.json and report.html are in the plan folder; --collect lists any job still missing
#      (resubmit just those indexes with --array=<i>,<j>,...).
#
# Each task writes only its own folder, renamed into place when its run is complete, so a requeued or
# repeated task leaves one complete result.
#SBATCH --job-name=corridor-sweep
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=corridor-sweep-%A_%a.log
set -euo pipefail
: "${PLAN:?set PLAN to the folder written by corridor sweep ... --plan}"
: "${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=0-<N-1>}"
# The Corridor checkout (with npm install done); bin/corridor.mjs runs itself on the Node 22 that npm installed.
cd "${CORRIDOR_HOME:-$SLURM_SUBMIT_DIR}"
exec node bin/corridor.mjs sweep --run-job "$PLAN" --index "$SLURM_ARRAY_TASK_ID"
