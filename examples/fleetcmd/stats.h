/*
 * stats.h - `fleetcmd journal stats [--since DURATION] [--openmetrics]`:
 * per provider and command, the commands by state, the unresolved ones,
 * the provider call's latency and the time from created to executed
 * (p50 and p95), and the provider's rolling 24 h quota, used and left.
 *
 * Without --openmetrics, a block per provider and command for people:
 *
 *     mobway  lock_door: 12 commands, 1 unresolved
 *       states: success=10 pending=1 refused=1
 *       call latency: p50 85 ms, p95 140 ms
 *       created to executed: p50 2 s, p95 3 s
 *       quota: 11 used, 489 left of 500 per 24 h
 *
 * With it, the OpenMetrics text format (for node_exporter's textfile
 * collector), ending in "# EOF": gauges fleetmod_journal_commands{provider,
 * command,state}, fleetmod_journal_unresolved{provider,command},
 * fleetmod_journal_call_latency_seconds and
 * fleetmod_journal_executed_latency_seconds{provider,command,quantile},
 * fleetmod_journal_quota and fleetmod_journal_quota_used{provider}.
 *
 * On a terminal a progress line shows while the journal is read. Returns
 * fleetcmd's exit status: 0 or the rc of the call that failed.
 */
#ifndef FLEETCMD_STATS_H
#define FLEETCMD_STATS_H

#include "args.h"

int fc_cmd_journal_stats(const struct fc_args *a);

#endif
