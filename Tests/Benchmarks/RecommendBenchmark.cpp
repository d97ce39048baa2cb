// Cost of finding similar tracks, on catalogs of 10k, 100k and 1M random embeddings
// (Embedding::dimension() floats each, standard normal: structureless, the hardest
// case for a graph index; real catalogs cluster).
//
//   RecommendDistance/kernel      one squared distance at Embedding::dimension() with each
//                                 kernel this CPU runs (Distance.h), CPU ns, and the speed-up
//                                 over the scalar loop measured in the same run
//   RecommendBuild/N/M/efC        ApproximateIndex build on 2 threads with M and
//                                 efConstruction (the defaults, and at 1M also the previous
//                                 24 / 100): seconds, hnswlib's memory, bytes per track
//   RecommendExact/N              ExactIndex (brute force) query latency, k = 10:
//                                 p50/p99 of each query timed with a steady clock
//                                 (and with the thread's CPU clock: cpu_p50/cpu_p99)
//   RecommendApproximate/N/ef/M/efC  ApproximateIndex query latency at candidate list ef,
//                                 p50/p99, and recall@10 against the exact answer
//
// Targets: approximate p99 <= 1 ms at 100k and <= 2 ms at 1M, recall@10 >= 0.95.
// Each catalog and its index are built once and kept for all the benchmarks on it.

#include "Recommend/Distance.h"
#include "Recommend/Embedding.h"
#include "Recommend/Index.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <time.h>

using namespace earshot;

namespace
{
constexpr size_t k = 10;
constexpr size_t numQueries = 1000;
/** Queries whose exact answer is computed for recall (brute force at 1M is slow). */
constexpr size_t numRecallQueries = 200;

struct Catalog
{
    size_t size = 0;
    std::vector<float> vectors, queries;
    std::unique_ptr<ExactIndex> exact;
    /** By graph settings (M, efConstruction), and the seconds each took to build. */
    std::map<std::pair<size_t, size_t>, std::unique_ptr<ApproximateIndex>> approximate;
    std::map<std::pair<size_t, size_t>, double> buildSeconds;
    std::vector<std::set<int64_t>> truth;
};

std::vector<float> normalVectors (size_t count, unsigned seed)
{
    std::mt19937 random (seed);
    std::normal_distribution<float> normal;
    std::vector<float> v (count * Embedding::dimension());
    for (auto& x : v)
        x = normal (random);
    return v;
}

Catalog& catalogOf (size_t size)
{
    static std::map<size_t, Catalog> catalogs;
    auto& c = catalogs[size];
    if (c.size == 0)
    {
        // Kept until exit (about 2 GB in all), so no index is built twice.
        c.size = size;
        c.vectors = normalVectors (size, 21);
        c.queries = normalVectors (numQueries, 22);
        c.exact = std::make_unique<ExactIndex> (Embedding::dimension());
        for (size_t i = 0; i < size; ++i)
            c.exact->add (static_cast<int64_t> (i), c.vectors.data() + i * Embedding::dimension());
    }
    return c;
}

/** The catalog's graph with `m` and `efConstruction` (the rest default), built on 2 threads. */
ApproximateIndex& approximateOf (Catalog& c, size_t m, size_t efConstruction)
{
    const auto key = std::make_pair (m, efConstruction);
    auto& index = c.approximate[key];
    if (index == nullptr)
    {
        ApproximateIndex::Settings settings;
        settings.m = m;
        settings.efConstruction = efConstruction;
        index = std::make_unique<ApproximateIndex> (Embedding::dimension(), settings);
        std::vector<int64_t> ids (c.size);
        for (size_t i = 0; i < c.size; ++i)
            ids[i] = static_cast<int64_t> (i);
        const auto start = std::chrono::steady_clock::now();
        index->addBatch (ids, c.vectors.data(), 2);
        c.buildSeconds[key] = std::chrono::duration<double> (std::chrono::steady_clock::now() - start).count();
    }
    return *index;
}

const std::vector<std::set<int64_t>>& truthOf (Catalog& c)
{
    for (auto q = c.truth.size(); q < numRecallQueries; ++q)
    {
        std::set<int64_t> ids;
        for (const auto& n : c.exact->search (c.queries.data() + q * Embedding::dimension(), k))
            ids.insert (n.id);
        c.truth.push_back (ids);
    }
    return c.truth;
}

double threadCpuMicros()
{
    timespec t {};
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double> (t.tv_sec) * 1e6 + static_cast<double> (t.tv_nsec) / 1e3;
}

/** Times each of `count` queries with a steady clock (p50_us, p99_us) and with the
    thread's CPU clock (cpu_p50_us, cpu_p99_us): on a shared machine the wall-clock
    tail is the scheduler's, the CPU time is the query's own. */
template <typename Search>
void timeQueries (benchmark::State& state, size_t count, const Catalog& c, Search&& search)
{
    std::vector<double> wall, cpu;
    for (auto _ : state)
    {
        wall.clear();
        cpu.clear();
        for (size_t q = 0; q < count; ++q)
        {
            const auto cpuStart = threadCpuMicros();
            const auto start = std::chrono::steady_clock::now();
            const auto found = search (c.queries.data() + q * Embedding::dimension());
            wall.push_back (
                std::chrono::duration<double, std::micro> (std::chrono::steady_clock::now() - start).count());
            cpu.push_back (threadCpuMicros() - cpuStart);
            benchmark::DoNotOptimize (found.data());
        }
    }
    auto percentile = [count] (std::vector<double>& v, double p)
    {
        std::sort (v.begin(), v.end());
        return v[static_cast<size_t> (p * static_cast<double> (count - 1))];
    };
    state.counters["p50_us"] = percentile (wall, 0.50);
    state.counters["p99_us"] = percentile (wall, 0.99);
    state.counters["cpu_p50_us"] = percentile (cpu, 0.50);
    state.counters["cpu_p99_us"] = percentile (cpu, 0.99);
    state.counters["queries"] = static_cast<double> (count);
}

/** CPU ns per distance of `kernel` over vectors that stay in the L2 cache, so the
    arithmetic is measured, not memory: the fastest of 5 rounds, each timed with the
    thread's CPU clock (a preempted round only counts if all are). */
double nanosecondsPerDistance (SquaredDistance kernel, const std::vector<float>& rows, const float* query)
{
    const size_t dims = Embedding::dimension(), count = rows.size() / dims, passes = 100;
    auto best = std::numeric_limits<double>::max();
    for (int round = 0; round < 5; ++round)
    {
        float sink = 0.0f;
        const auto start = threadCpuMicros();
        for (size_t pass = 0; pass < passes; ++pass)
            for (size_t row = 0; row < count; ++row)
                sink += kernel (query, rows.data() + row * dims, &dims);
        benchmark::DoNotOptimize (sink);
        best = std::min (best, (threadCpuMicros() - start) * 1e3 / static_cast<double> (passes * count));
    }
    return best;
}

void RecommendDistance (benchmark::State& state)
{
    const auto& kernels = squaredDistanceKernels();
    const auto& kernel = kernels[static_cast<size_t> (state.range (0))];
    const auto rows = normalVectors (1024, 23);
    const auto query = normalVectors (1, 24);
    double ns = 0.0, scalarNs = 0.0;
    for (auto _ : state)
    {
        scalarNs = nanosecondsPerDistance (squaredDistanceScalar, rows, query.data());
        ns = nanosecondsPerDistance (kernel.function, rows, query.data());
    }
    state.SetLabel (kernel.name);
    state.counters["ns_per_distance"] = ns;
    state.counters["scalar_ns"] = scalarNs;
    state.counters["speedup_vs_scalar"] = scalarNs / ns;
    state.counters["dimension"] = static_cast<double> (Embedding::dimension());
}

void everyKernel (benchmark::internal::Benchmark* b)
{
    for (size_t i = 0; i < squaredDistanceKernels().size(); ++i)
        b->Args ({ static_cast<int64_t> (i) });
}

void RecommendBuild (benchmark::State& state)
{
    auto& c = catalogOf (static_cast<size_t> (state.range (0)));
    const auto m = static_cast<size_t> (state.range (1)), efConstruction = static_cast<size_t> (state.range (2));
    for (auto _ : state)
    {
        c.approximate.erase ({ m, efConstruction });
        benchmark::DoNotOptimize (&approximateOf (c, m, efConstruction));
    }
    const auto& index = approximateOf (c, m, efConstruction);
    const auto bytes = static_cast<double> (index.memoryBytes());
    state.counters["build_s"] = c.buildSeconds[{ m, efConstruction }];
    state.counters["memory_mib"] = bytes / (1024.0 * 1024.0);
    state.counters["bytes_per_track"] = bytes / static_cast<double> (c.size);
    state.counters["dimension"] = static_cast<double> (Embedding::dimension());
    state.counters["M"] = static_cast<double> (index.settings().m);
    state.counters["ef_construction"] = static_cast<double> (index.settings().efConstruction);
    state.counters["threads"] = 2;
    state.SetLabel (fastestSquaredDistance().name);
}

void RecommendExact (benchmark::State& state)
{
    auto& c = catalogOf (static_cast<size_t> (state.range (0)));
    // Brute force at 1M takes tens of ms a query: fewer of them.
    const auto count = std::min (numQueries, std::max (numRecallQueries, size_t (200000000) / c.size));
    timeQueries (state, count, c, [&] (const float* query) { return c.exact->search (query, k); });
}

void RecommendApproximate (benchmark::State& state)
{
    auto& c = catalogOf (static_cast<size_t> (state.range (0)));
    auto& index = approximateOf (c, static_cast<size_t> (state.range (2)), static_cast<size_t> (state.range (3)));
    index.setEfSearch (static_cast<size_t> (state.range (1)));
    timeQueries (state, numQueries, c, [&] (const float* query) { return index.search (query, k); });

    const auto& truth = truthOf (c);
    size_t hits = 0;
    for (size_t q = 0; q < numRecallQueries; ++q)
        for (const auto& n : index.search (c.queries.data() + q * Embedding::dimension(), k))
            hits += truth[q].count (n.id);
    state.counters["recall_at_10"] = static_cast<double> (hits) / static_cast<double> (k * numRecallQueries);
    state.counters["ef"] = static_cast<double> (state.range (1));
    state.counters["M"] = static_cast<double> (state.range (2));
    state.counters["ef_construction"] = static_cast<double> (state.range (3));
    state.SetLabel (fastestSquaredDistance().name);
}

void sizes (benchmark::internal::Benchmark* b)
{
    for (auto size : { 10000, 100000, 1000000 })
        b->Args ({ size });
}

const ApproximateIndex::Settings defaults;
/** The graph settings before M 32 / efConstruction 200, kept at 1M for comparison. */
constexpr int64_t previousM = 24, previousEfConstruction = 100;

/** Size, M, efConstruction: the default graph at each size, and the previous one at 1M. */
void sizesAndGraphs (benchmark::internal::Benchmark* b)
{
    for (auto size : { 10000, 100000, 1000000 })
        b->Args ({ size, int64_t (defaults.m), int64_t (defaults.efConstruction) });
    b->Args ({ 1000000, previousM, previousEfConstruction });
}

/** Size, ef, M, efConstruction. */
void sizesEfAndGraphs (benchmark::internal::Benchmark* b)
{
    for (auto size : { 10000, 100000, 1000000 })
        for (auto ef : { 64, 128, 256, 384, 512, 768, 1024 })
            b->Args ({ size, ef, int64_t (defaults.m), int64_t (defaults.efConstruction) });
    for (auto ef : { 512, 768, 1024 })
        b->Args ({ 1000000, ef, previousM, previousEfConstruction });
}
} // namespace

BENCHMARK (RecommendDistance)->Apply (everyKernel)->Iterations (1)->Repetitions (3)->Unit (benchmark::kMillisecond);
BENCHMARK (RecommendBuild)->Apply (sizesAndGraphs)->Iterations (1)->Repetitions (1)->Unit (benchmark::kMillisecond);
BENCHMARK (RecommendExact)->Apply (sizes)->Iterations (1)->Repetitions (1)->Unit (benchmark::kMillisecond);
BENCHMARK (RecommendApproximate)
    ->Apply (sizesEfAndGraphs)
    ->Iterations (1)
    ->Repetitions (1)
    ->Unit (benchmark::kMillisecond);
