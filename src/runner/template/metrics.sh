#!/bin/sh
# Container resource sampler.
#
# Usage: metrics.sh OUTPUT_CSV [INTERVAL_SECONDS]   sample forever (default interval 1, fractions allowed)
#        metrics.sh OUTPUT_CSV --once               append exactly one sample and exit
#
# CSV columns: timestamp,elapsed_seconds,cpu_percent,memory_bytes
#   timestamp        unix epoch seconds
#   elapsed_seconds  seconds since the sampler loop started (2 decimals)
#   cpu_percent      CPU used by the whole container since the previous sample divided by
#                    wall time, in percent of one core (100 = one full core), 2 decimals
#   memory_bytes     container memory as `docker stats` reports it (usage minus inactive file cache)
# A value that cannot be read is left empty. The last raw reading is kept in OUTPUT_CSV.state
# so that a final `--once` sample measures CPU since the loop's last sample.
#
# POSIX sh (dash, busybox ash). The sampler never writes to stdout/stderr and always exits 0.

exec >/dev/null 2>&1

out=$1
[ -n "$out" ] || exit 0
state=$out.state

once=0
interval=1
for arg in "$2" "$3"; do
  case $arg in
    --once) once=1 ;;
    '') ;;
    *) interval=$arg ;;
  esac
done
# Accept only plain positive decimals; anything else falls back to 1 second.
case $interval in
  *[!0-9.]* | .* | *.*.* | *.) interval=1 ;;
esac
case $interval in
  *[1-9]*) ;;
  *) interval=1 ;;
esac

CG=/sys/fs/cgroup

# CPU source: v2 cpu.stat (usec) or v1 cpuacct.usage (ns).
cpu_mode=none
cpu_file=
if [ -r "$CG/cpu.stat" ]; then
  cpu_mode=v2
  cpu_file=$CG/cpu.stat
elif [ -r "$CG/cpuacct/cpuacct.usage" ]; then
  cpu_mode=v1
  cpu_file=$CG/cpuacct/cpuacct.usage
elif [ -r "$CG/cpu,cpuacct/cpuacct.usage" ]; then
  cpu_mode=v1
  cpu_file=$CG/cpu,cpuacct/cpuacct.usage
fi

# Memory source: v2 memory.current or v1 memory.usage_in_bytes, each with its memory.stat.
mem_mode=none
if [ -r "$CG/memory.current" ]; then
  mem_mode=v2
  mem_usage_file=$CG/memory.current
  mem_stat_file=$CG/memory.stat
  mem_inactive_key=inactive_file
elif [ -r "$CG/memory/memory.usage_in_bytes" ]; then
  mem_mode=v1
  mem_usage_file=$CG/memory/memory.usage_in_bytes
  mem_stat_file=$CG/memory/memory.stat
  mem_inactive_key=total_inactive_file
fi

# is_uint VALUE: true when VALUE is a non-empty string of decimal digits.
is_uint() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
  esac
  return 0
}

# When the machine booted, in unix epoch seconds (the kernel's btime, read once): with the uptime
# each reading reads, a row's timestamp.
boot_epoch=
if [ -r /proc/stat ]; then
  while read -r stat_key stat_val _; do
    if [ "$stat_key" = btime ]; then
      boot_epoch=$stat_val
      break
    fi
  done </proc/stat
fi

# read_uptime: sets up_cs to /proc/uptime in centiseconds, or empty.
read_uptime() {
  up_cs=
  up_raw=
  read -r up_raw _ </proc/uptime
  up_s=${up_raw%%.*}
  case $up_raw in
    *.*) up_f=${up_raw#*.} ;;
    *) up_f=0 ;;
  esac
  # Exactly two fraction digits; strip a leading zero so it is not read as octal.
  case $up_f in
    ??*) up_f=${up_f%"${up_f#??}"} ;;
    ?) up_f=${up_f}0 ;;
  esac
  up_f=${up_f#0}
  [ -n "$up_f" ] || up_f=0
  if is_uint "$up_s" && is_uint "$up_f"; then
    up_cs=$((up_s * 100 + up_f))
  fi
}

# read_container_start: sets boot_cs to when the container's first process (PID 1) started, in
# centiseconds of /proc/uptime, or empty. Its start time is field 22 of /proc/1/stat, in clock
# ticks; the fields are counted after the command name, which may hold spaces.
read_container_start() {
  boot_cs=
  stat_line=
  read -r stat_line </proc/1/stat 2>/dev/null || return 0
  stat_rest=${stat_line##*) }
  # shellcheck disable=SC2086
  set -- $stat_rest
  [ "$#" -ge 20 ] || return 0
  ticks=$(getconf CLK_TCK 2>/dev/null)
  is_uint "$ticks" && [ "$ticks" -gt 0 ] || ticks=100
  is_uint "${20}" && boot_cs=$((${20} * 100 / ticks))
}

# read_cpu: sets cpu_ns to the container's cumulative CPU time in nanoseconds, or empty.
read_cpu() {
  cpu_ns=
  case $cpu_mode in
    v1)
      cpu_raw=
      read -r cpu_raw <"$cpu_file"
      is_uint "$cpu_raw" && cpu_ns=$cpu_raw
      ;;
    v2)
      while read -r cpu_key cpu_raw; do
        if [ "$cpu_key" = usage_usec ]; then
          is_uint "$cpu_raw" && cpu_ns=$((cpu_raw * 1000))
          break
        fi
      done <"$cpu_file"
      ;;
  esac
}

# read_mem: sets mem_bytes to usage minus inactive file cache (never below 0), or empty.
read_mem() {
  mem_bytes=
  [ "$mem_mode" = none ] && return 0
  mem_raw=
  read -r mem_raw <"$mem_usage_file"
  is_uint "$mem_raw" || return 0
  mem_inactive=0
  if [ -r "$mem_stat_file" ]; then
    while read -r mem_key mem_val; do
      if [ "$mem_key" = "$mem_inactive_key" ]; then
        is_uint "$mem_val" && mem_inactive=$mem_val
        break
      fi
    done <"$mem_stat_file"
  fi
  if [ "$mem_inactive" -lt "$mem_raw" ]; then
    mem_bytes=$((mem_raw - mem_inactive))
  else
    mem_bytes=0
  fi
}

# take_reading: sets now_cs and now_cpu (raw counters used for deltas).
take_reading() {
  read_uptime
  read_cpu
  now_cs=$up_cs
  now_cpu=$cpu_ns
}

# save_state: remembers the loop start and the latest raw reading for the next sample.
save_state() {
  printf '%s %s %s\n' "$start_cs" "$now_cs" "$now_cpu" >"$state"
}

# write_header: adds the CSV header when the file is new or empty.
write_header() {
  [ -s "$out" ] || printf 'timestamp,elapsed_seconds,cpu_percent,memory_bytes\n' >>"$out"
}

# fmt_cs VALUE: sets fmt to VALUE/100 with two decimals.
fmt_cs() {
  fmt=$(($1 / 100)).
  fmt_r=$(($1 % 100))
  [ "$fmt_r" -lt 10 ] && fmt=${fmt}0
  fmt=$fmt$fmt_r
}

# write_row: appends one row using prev_cs/prev_cpu as the previous reading.
write_row() {
  take_reading
  read_mem
  # The wall clock from the boot time and the uptime the reading has read: a `date` process
  # each row cost as much as the rest of the row (the sleep is the only process a row starts).
  ts=
  if is_uint "$boot_epoch" && is_uint "$up_s"; then
    ts=$((boot_epoch + up_s))
  else
    ts=$(date +%s)
    is_uint "$ts" || ts=
  fi
  elapsed=
  if is_uint "$now_cs" && is_uint "$start_cs" && [ "$now_cs" -ge "$start_cs" ]; then
    fmt_cs $((now_cs - start_cs))
    elapsed=$fmt
  fi
  cpu_pct=
  if is_uint "$now_cs" && is_uint "$prev_cs" && is_uint "$now_cpu" && is_uint "$prev_cpu"; then
    d_cs=$((now_cs - prev_cs))
    d_cpu=$((now_cpu - prev_cpu))
    if [ "$d_cs" -gt 0 ] && [ "$d_cpu" -ge 0 ]; then
      # percent x100 = d_cpu_ns / (d_cs * 1e7) * 100 * 100, rounded.
      fmt_cs $(((d_cpu + d_cs * 500) / (d_cs * 1000)))
      cpu_pct=$fmt
    fi
  fi
  printf '%s,%s,%s,%s\n' "$ts" "$elapsed" "$cpu_pct" "$mem_bytes" >>"$out"
  prev_cs=$now_cs
  prev_cpu=$now_cpu
  save_state
}

nap() {
  sleep "$interval" &
  nap_pid=$!
  wait "$nap_pid"
  nap_pid=
}

if [ "$once" = 1 ]; then
  write_header
  start_cs=
  prev_cs=
  prev_cpu=
  st_start=
  st_cs=
  st_cpu=
  if [ -r "$state" ]; then
    read -r st_start st_cs st_cpu _ <"$state"
  fi
  take_reading
  baseline=1
  if is_uint "$st_start" && is_uint "$st_cs" && is_uint "$now_cs" &&
    [ "$st_start" -le "$st_cs" ] && [ "$st_cs" -le "$now_cs" ]; then
    start_cs=$st_start
    if is_uint "$st_cpu" && is_uint "$now_cpu"; then
      baseline=0
      prev_cs=$st_cs
      prev_cpu=$st_cpu
      # The window runs from the loop's last reading (for a short command, the start of the
      # container): it only needs to be longer than nothing. Waiting longer would hold the
      # container up, and so every short run.
      [ "$now_cs" -le "$st_cs" ] && sleep 0.01
    fi
  else
    start_cs=$now_cs
  fi
  if [ "$baseline" = 1 ]; then
    # No usable previous reading (a command so short that the loop was stopped before its first):
    # measure from the container's start, when its CPU counter was zero, rather than wait.
    read_container_start
    if is_uint "$boot_cs" && is_uint "$now_cs" && is_uint "$now_cpu" && [ "$boot_cs" -le "$now_cs" ]; then
      start_cs=$boot_cs
      prev_cs=$boot_cs
      prev_cpu=0
      [ "$now_cs" -le "$boot_cs" ] && sleep 0.01
    else
      # Not even that: take a baseline and measure over one interval.
      prev_cs=$now_cs
      prev_cpu=$now_cpu
      is_uint "$now_cs" && is_uint "$now_cpu" && sleep "$interval"
    fi
  fi
  write_row
  exit 0
fi

nap_pid=
trap '[ -n "$nap_pid" ] && kill "$nap_pid"; exit 0' HUP INT TERM

write_header
take_reading
start_cs=$now_cs
prev_cs=$now_cs
prev_cpu=$now_cpu
save_state
while :; do
  nap
  write_row
done
