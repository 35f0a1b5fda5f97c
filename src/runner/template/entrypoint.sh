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

if [ "$#" -gt 0 ]; then
  "$@" &
else
  cd /job || exit 125
  sh "$tds_dir/command.sh" &
fi
child=$!

# Pass a stop request on to the command; the sampler is stopped below.
trap 'stopping=1; kill -TERM "$child" 2>/dev/null' TERM INT HUP

status=0
while :; do
  wait "$child"
  status=$?
  # `wait` also returns when a trapped signal arrives; go on waiting until the command is gone.
  kill -0 "$child" 2>/dev/null || break
done
# A trapped signal that came just as the command ended may have cut that last wait short (a shell
# that reaps its children by itself, as bash does, has the command gone by then): the shell keeps
# the command's own status, and waiting for it once more returns that.
if [ "$status" -gt 128 ]; then
  wait "$child"
  status=$?
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
