// Audio-thread cost of handing one stereo block to the analysis side.
//
// Three ways, measured in the same run, for block sizes 32..4096:
//   Memcpy        the floor: copy the block into a ring-sized buffer, nothing else
//   AudioTap      Earshot's tap: claim, copy into the SPSC ring, publish
//   ReaderWriterQueue  moodycamel's SPSC queue of preallocated block slots
// Each timed batch fills half the ring; draining happens outside the timed region.
// Run through Tests/Benchmarks/report.py to get the table with ratios.

#include "Realtime/AudioTap.h"

#include <benchmark/benchmark.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <array>
#include <chrono>
#include <cstring>
#include <vector>

using namespace earshot;

namespace
{
constexpr int numChannels = 2;
constexpr double sampleRate = 48000.0;
constexpr int maxBlock = 4096;

struct Source
{
    explicit Source (int blockSize)
        : left (static_cast<size_t> (blockSize), 0.25f)
        , right (static_cast<size_t> (blockSize), -0.25f)
    {
    }

    std::vector<float> left, right;
    std::array<const float*, 2> pointers { left.data(), right.data() };
};

/** Blocks per timed batch: half of what the tap's ring holds for this block size. */
int batchFor (AudioTap& tap, int blockSize)
{
    const auto free = tap.getFreeSamples();
    return std::max (1, std::min (free / blockSize, 16384) / 2);
}

template <typename PushBatch, typename Drain>
void runBatches (benchmark::State& state, int batch, PushBatch&& pushBatch, Drain&& drain)
{
    using Clock = std::chrono::steady_clock;
    int64_t blocks = 0;
    for (auto _ : state)
    {
        const auto start = Clock::now();
        pushBatch();
        const auto elapsed = std::chrono::duration<double> (Clock::now() - start).count();
        state.SetIterationTime (elapsed);
        drain();
        blocks += batch;
    }
    state.counters["ns_per_block"] = benchmark::Counter (static_cast<double> (blocks) * 1e-9,
                                                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["batch"] = batch;
}

void Memcpy (benchmark::State& state)
{
    const auto blockSize = static_cast<int> (state.range (0));
    AudioTap tap;
    tap.prepare ({ sampleRate, blockSize, numChannels });
    const auto batch = batchFor (tap, blockSize);
    const auto capacity = static_cast<size_t> (tap.getFreeSamples());

    Source source (blockSize);
    std::vector<float> destination (capacity * numChannels);
    size_t write = 0;

    runBatches (
        state, batch,
        [&]
        {
            for (int b = 0; b < batch; ++b)
            {
                const auto offset = write % capacity;
                for (int c = 0; c < numChannels; ++c)
                    std::memcpy (destination.data() + static_cast<size_t> (c) * capacity + offset,
                                 source.pointers[static_cast<size_t> (c)],
                                 static_cast<size_t> (blockSize) * sizeof (float));
                write += static_cast<size_t> (blockSize);
                if (write % capacity + static_cast<size_t> (blockSize) > capacity)
                    write += capacity - write % capacity;
            }
            benchmark::ClobberMemory();
        },
        [] {});
}

void Tap (benchmark::State& state)
{
    const auto blockSize = static_cast<int> (state.range (0));
    AudioTap tap;
    tap.prepare ({ sampleRate, blockSize, numChannels });
    const auto batch = batchFor (tap, blockSize);
    AudioBlock block;
    tap.allocateBlock (block);
    Source source (blockSize);

    runBatches (
        state, batch,
        [&]
        {
            for (int b = 0; b < batch; ++b)
                tap.push (source.pointers.data(), numChannels, blockSize);
        },
        [&]
        {
            while (tap.pop (block))
                benchmark::DoNotOptimize (block.getReadPointer (0)[0]);
        });

    if (tap.getStatistics().blocksDropped != 0)
        state.SkipWithError ("the tap dropped blocks: the batch does not fit the ring");
}

void Ring (benchmark::State& state)
{
    const auto blockSize = static_cast<int> (state.range (0));
    AudioTap sizing;
    sizing.prepare ({ sampleRate, blockSize, numChannels });
    const auto batch = batchFor (sizing, blockSize);
    AudioRing ring (numChannels, sizing.getFreeSamples(), 16384);
    AudioBlock block;
    block.allocate (numChannels, ring.getSampleCapacity());
    Source source (blockSize);
    BlockInfo info;
    info.numChannels = numChannels;
    info.numSamples = blockSize;
    info.sampleRate = sampleRate;

    runBatches (
        state, batch,
        [&]
        {
            for (int b = 0; b < batch; ++b)
                ring.push (source.pointers.data(), info);
        },
        [&]
        {
            while (ring.pop (block))
                benchmark::DoNotOptimize (block.getReadPointer (0)[0]);
        });
}

struct Slot
{
    Slot (const float* const* channels, int size)
        : numSamples (size)
    {
        for (int c = 0; c < numChannels; ++c)
            std::memcpy (samples[static_cast<size_t> (c)].data(), channels[c],
                         static_cast<size_t> (size) * sizeof (float));
    }

    int numSamples;
    std::array<std::array<float, maxBlock>, numChannels> samples;
};

void ReaderWriterQueue (benchmark::State& state)
{
    const auto blockSize = static_cast<int> (state.range (0));
    AudioTap sizing;
    sizing.prepare ({ sampleRate, blockSize, numChannels });
    const auto batch = batchFor (sizing, blockSize);

    moodycamel::ReaderWriterQueue<Slot> queue (static_cast<size_t> (batch) + 1);
    Source source (blockSize);
    int failures = 0;

    runBatches (
        state, batch,
        [&]
        {
            for (int b = 0; b < batch; ++b)
                failures += queue.try_emplace (source.pointers.data(), blockSize) ? 0 : 1;
        },
        [&]
        {
            while (auto* front = queue.peek())
            {
                benchmark::DoNotOptimize (front->samples[0][0]);
                queue.pop();
            }
        });

    if (failures != 0)
        state.SkipWithError ("the queue refused blocks (it would have had to allocate)");
}

void blockSizes (benchmark::internal::Benchmark* benchmark)
{
    for (int size = 32; size <= maxBlock; size *= 2)
        benchmark->Arg (size);
    benchmark->UseManualTime()->Unit (benchmark::kNanosecond)->MinTime (0.2);
}
} // namespace

BENCHMARK (Memcpy)->Apply (blockSizes);
BENCHMARK (Tap)->Apply (blockSizes);
BENCHMARK (Ring)->Apply (blockSizes);
BENCHMARK (ReaderWriterQueue)->Apply (blockSizes);
