#!/bin/sh
# Entrypoint of every job image: starts the metrics sampler in the background, runs the job's
# command from /job with /bin/sh exactly as it was submitted (it is read from a file, never pasted
# into the image's build text), waits for the worker's first reading if it came first, takes a
# last sample, and exits with the command's exit code.
# With arguments (a prebuilt image that has /bin/sh), it runs them instead, in the container's
# working folder: the image's entrypoint and command, as the image would have run them.
# It writes nothing of its own to stdout or stderr: those belong to the command.

# The worker's sign that it has its first reading of the container: a signal (TDS_METRICS_GATE
# names it) whose default action is nothing, listened for before anything else is started.
sampled=
if [ -n "$TDS_METRICS_GATE" ]; then
  trap 'sampled=1' "$TDS_METRICS_GATE"
fi

tds_dir=/job/.tds
metrics_file="${TDS_METRICS_FILE:-/job/.metrics/metrics.csv}"
mkdir -p /job/output 2>/dev/null

sh "$tds_dir/metrics.sh" "$metrics_file" "${TDS_METRICS_INTERVAL:-1}" </dev/null >/dev/null 2>&1 &
sampler=$!

# The command runs under a shell of its own that listens for no signal, so that its wait for the
# command is never cut short: this one's can be (the worker's sign, a stop request), and a shell
# that reaps its children by itself, as bash does, can lose the status of a child that ended just
# as a trapped signal cut its wait short, and then wait for it forever. That shell writes the
# command's process id, then its exit status, beside the metrics file (a folder the job's user may
# write to, a volume made empty for each run, of which only the metrics file is read after exit).
pid_file=$metrics_file.pid
status_file=$metrics_file.status
(
  if [ "$#" -gt 0 ]; then
    "$@" &
  else
    cd /job || exit 125
    sh "$tds_dir/command.sh" &
  fi
  { echo "$!" >"$pid_file"; } 2>/dev/null
  wait "$!"
  status=$?
  { echo "$status" >"$status_file"; } 2>/dev/null
  exit "$status"
) &
runner=$!

# Pass a stop request on to the command (to the shell that runs it, if it has not yet said which
# process that is); the sampler is stopped below.
stop() {
  stopping=1
  command_pid=
  [ -r "$pid_file" ] && read -r command_pid <"$pid_file"
  kill -TERM "${command_pid:-$runner}" 2>/dev/null
}
trap stop TERM INT HUP

# `wait` also returns when a trapped signal arrives: go on waiting while the runner is there (never
# once it is gone, whatever its status became).
status=0
while kill -0 "$runner" 2>/dev/null; do
  wait "$runner"
  status=$?
done
if [ -r "$status_file" ] && read -r written <"$status_file"; then
  status=$written
fi

# The worker reads the container's CPU and memory from the engine (the figures recorded for the
# run: this container's own file is the job's to write) and signals after its first reading. A
# command that ended before it waits for it, a few seconds at most (not when asked to stop), so
# that even a command shorter than one sampling interval is measured.
if [ -n "$TDS_METRICS_GATE" ]; then
  waited=0
  while [ -z "$sampled" ] && [ -z "$stopping" ] && [ "$waited" -lt 100 ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
fi

kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
sh "$tds_dir/metrics.sh" "$metrics_file" --once </dev/null >/dev/null 2>&1
exit "$status"
