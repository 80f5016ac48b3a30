#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-fuzzer.sh FUZZER SEED_DIR WORK_DIR
#
# Runs FUZZER for SATCHEL_FUZZ_SECONDS (default 40) starting from the seeds,
# keeping the inputs it finds in WORK_DIR and any crashing input there as
# crash-*. Fails when the fuzzer finds a crash, a leak or undefined
# behaviour.

set -eu
fuzzer=$1
seeds=$2
work=$3
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="${SATCHEL_FUZZ_SECONDS:-40}" -rss_limit_mb=2048 \
  -max_len=65536 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds"
