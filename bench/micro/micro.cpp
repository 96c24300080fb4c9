/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Google Benchmark harness for the netfront data path. Every figure is per
 * packet, from the packets the driver really handled:
 *   time/pkt   time / packets (console: "12.3ns"; JSON: seconds)
 *   pkts/s     packets / time, as is items_per_second
 *   pkts/iter  packets per iteration (the burst the driver accepted)
 * Baselines (Memcpy, RteMemcpy, MbufAllocFree) show the limit a copying
 * TX path cannot beat. Cycle benchmarks time a whole round trip on the
 * wall clock; the single-call ones (UseManualTime) time one driver
 * function with the TSC, their setup untimed. TxTso's packets are 63.7 KiB
 * frames; it also reports time/seg, per TCP segment the backend makes.
 */
#include <cstdint>
#include <cstdio>
#include <vector>

#include <benchmark/benchmark.h>

#include "fixture.h"

namespace {

struct fx *bench_fx;
bool bench_failed;

const std::vector<int64_t> bursts = {1, 8, 32, 64, 256};
const std::vector<int64_t> lens = {64, 1500};
/* RX lending pages never touches packet data: one length tells it all. */
const unsigned int rx_len = 1500;
const std::vector<int64_t> tso_bursts = {1, 2, 4, FX_TSO_BURST_MAX};
/*
 * The driver refills RX in batches of at least 32 slots, so a smaller
 * burst pays the 32 figure, amortised.
 */
const std::vector<int64_t> refill_bursts = {32, 64, 256};

void
report(benchmark::State &state, double pkts)
{
	using benchmark::Counter;

	state.SetItemsProcessed(static_cast<int64_t>(pkts));
	/* An inverted rate: seconds per packet, shown as "12.3ns". */
	state.counters["time/pkt"] =
		Counter(pkts, Counter::kIsRate | Counter::kInvert);
	state.counters["pkts/s"] = Counter(pkts, Counter::kIsRate);
	state.counters["pkts/iter"] = Counter(pkts, Counter::kAvgIterations);
}

void
fail(benchmark::State &state)
{
	bench_failed = true;
	state.SkipWithError(fx_error(bench_fx));
}

/* Wall-clock timing of a step that returns packets handled, or -1. */
template <typename Step>
void
run_wall(benchmark::State &state, Step step)
{
	double pkts = 0;

	for (auto _ : state) {
		int n = step();

		if (n < 0) {
			fail(state);
			break;
		}
		pkts += n;
	}
	report(state, pkts);
}

/* A step that times its one driver call itself. */
template <typename Step>
void
run_timed(benchmark::State &state, Step step)
{
	struct fx_step s;
	double pkts = 0;

	for (auto _ : state) {
		if (step(&s) != 0) {
			fail(state);
			break;
		}
		state.SetIterationTime(s.ns * 1e-9);
		pkts += s.pkts;
	}
	report(state, pkts);
}

unsigned int
arg(const benchmark::State &state, int i)
{
	return static_cast<unsigned int>(state.range(i));
}

void
BM_Memcpy(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_copy(bench_fx, arg(state, 0), arg(state, 1), 1);
	});
}

void
BM_RteMemcpy(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_copy(bench_fx, arg(state, 0), arg(state, 1), 0);
	});
}

void
BM_MbufAllocFree(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_mbuf_alloc_free(bench_fx, arg(state, 0));
	});
}

void
BM_IdAllocFree(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_id_alloc_free(bench_fx, arg(state, 0));
	});
}

void
BM_TxBuild(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_tx_build(bench_fx, arg(state, 0), arg(state, 1), s);
	});
}

void
BM_TxReclaim(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_tx_reclaim(bench_fx, arg(state, 0), arg(state, 1),
				     s);
	});
}

void
BM_RxBurst(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_rx_burst(bench_fx, arg(state, 0), rx_len, s);
	});
}

void
BM_RxRefill(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_rx_refill(bench_fx, arg(state, 0), s);
	});
}

void
BM_TxZeroCopy(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_tx_zerocopy(bench_fx, arg(state, 0), arg(state, 1),
				      s);
	});
}

void
BM_TxCsum(benchmark::State &state)
{
	run_timed(state, [&](struct fx_step *s) {
		return fx_tx_csum(bench_fx, arg(state, 0), arg(state, 1), s);
	});
}

void
BM_TxTso(benchmark::State &state)
{
	using benchmark::Counter;
	double frames = 0;

	run_timed(state, [&](struct fx_step *s) {
		int rc = fx_tx_tso(bench_fx, arg(state, 0), s);

		if (rc == 0)
			frames += s->pkts;
		return rc;
	});
	state.counters["time/seg"] = Counter(frames * FX_TSO_SEGS,
					     Counter::kIsRate |
					     Counter::kInvert);
}

void
BM_RxBurstCopy(benchmark::State &state)
{
	if (fx_rx_copy(bench_fx, 1) != 0) {
		fail(state);
		return;
	}
	run_timed(state, [&](struct fx_step *s) {
		return fx_rx_burst(bench_fx, arg(state, 0), arg(state, 1), s);
	});
	if (fx_rx_copy(bench_fx, 0) != 0)
		fail(state);
}

void
BM_TxCycle(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_tx_cycle(bench_fx, arg(state, 0), arg(state, 1));
	});
}

void
BM_RxCycle(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_rx_cycle(bench_fx, arg(state, 0), rx_len);
	});
}

void
BM_FwdCycle(benchmark::State &state)
{
	run_wall(state, [&] {
		return fx_fwd_cycle(bench_fx, arg(state, 0), rx_len);
	});
}

} /* namespace */

BENCHMARK(BM_Memcpy)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseRealTime();
BENCHMARK(BM_RteMemcpy)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseRealTime();
BENCHMARK(BM_MbufAllocFree)->ArgsProduct({bursts})
	->ArgNames({"burst"})->UseRealTime();
BENCHMARK(BM_IdAllocFree)->ArgsProduct({bursts})
	->ArgNames({"burst"})->UseRealTime();
BENCHMARK(BM_TxBuild)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseManualTime();
BENCHMARK(BM_TxReclaim)->ArgsProduct({bursts, {64}})
	->ArgNames({"burst", "len"})->UseManualTime();
BENCHMARK(BM_RxBurst)->ArgsProduct({bursts})
	->ArgNames({"burst"})->UseManualTime();
BENCHMARK(BM_RxRefill)->ArgsProduct({refill_bursts})
	->ArgNames({"burst"})->UseManualTime();
BENCHMARK(BM_TxZeroCopy)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseManualTime();
BENCHMARK(BM_TxCsum)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseManualTime();
BENCHMARK(BM_TxTso)->ArgsProduct({tso_bursts})
	->ArgNames({"burst"})->UseManualTime();
BENCHMARK(BM_RxBurstCopy)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseManualTime();
BENCHMARK(BM_TxCycle)->ArgsProduct({bursts, lens})
	->ArgNames({"burst", "len"})->UseRealTime();
BENCHMARK(BM_RxCycle)->ArgsProduct({bursts})
	->ArgNames({"burst"})->UseRealTime();
BENCHMARK(BM_FwdCycle)->ArgsProduct({bursts})
	->ArgNames({"burst"})->UseRealTime();

int
main(int argc, char **argv)
{
	char err[256];
	size_t ran;
	int rc;

	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	if (fx_eal_init(argv[0]) != 0)
		return 1;
	bench_fx = fx_create(err, sizeof(err));
	if (bench_fx == nullptr) {
		std::fprintf(stderr, "netfront-micro: %s\n", err);
		fx_eal_cleanup();
		return 1;
	}
	ran = benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	rc = fx_destroy(bench_fx, err, sizeof(err));
	if (rc != 0)
		std::fprintf(stderr, "netfront-micro: %s\n", err);
	fx_eal_cleanup();
	if (ran == 0)
		std::fprintf(stderr, "netfront-micro: no benchmark ran\n");
	return rc != 0 || bench_failed || ran == 0 ? 1 : 0;
}
