#include "Features/Level.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
float toDb (double gain) noexcept
{
    return gain > 0.0 ? static_cast<float> (20.0 * std::log10 (gain)) : -std::numeric_limits<float>::infinity();
}
} // namespace

void Level::prepare (const StreamFormat& format)
{
    sampleRate = format.sampleRate;
    windowLength = static_cast<size_t> (std::max (1.0, std::round (windowSeconds * format.sampleRate)));
    channels.assign (static_cast<size_t> (std::clamp (format.numChannels, 1, Snapshot::maxChannels)), {});
    for (auto& channel : channels)
        channel.squares.assign (windowLength, 0.0f);
    writeIndex = 0;
    samplesSinceResum = 0;
    totalSamples = 0;
}

void Level::process (const AudioBlock& block, AnalysisContext& context)
{
    auto& snapshot = context.snapshot();
    const auto numSamples = block.getNumSamples();
    const auto numChannels = std::min (block.getNumChannels(), static_cast<int> (channels.size()));
    const auto release = static_cast<float> (std::pow (10.0, -peakReleaseDbPerSecond * numSamples / sampleRate / 20.0));

    for (int c = 0; c < numChannels; ++c)
    {
        auto& channel = channels[static_cast<size_t> (c)];
        const auto* samples = block.getReadPointer (c);
        double windowDelta = 0.0, squares = 0.0, sum = 0.0;
        float blockPeak = 0.0f;
        int blockClipped = 0;

        // The window ring is walked in contiguous runs (no wrap test per sample),
        // and the sums are explicit SIMD reductions.
        auto index = writeIndex;
        for (int done = 0; done < numSamples;)
        {
            const auto run =
                static_cast<int> (std::min<size_t> (static_cast<size_t> (numSamples - done), windowLength - index));
            auto* ring = channel.squares.data() + index;
            const auto* x = samples + done;
#pragma omp simd reduction(+ : windowDelta, squares, sum, blockClipped) reduction(max : blockPeak)
            for (int i = 0; i < run; ++i)
            {
                const auto square = x[i] * x[i];
                const auto magnitude = std::abs (x[i]);
                windowDelta += static_cast<double> (square) - static_cast<double> (ring[i]);
                ring[i] = square;
                squares += static_cast<double> (square);
                sum += static_cast<double> (x[i]);
                blockPeak = std::max (blockPeak, magnitude);
                blockClipped += magnitude >= 1.0f ? 1 : 0;
            }
            done += run;
            index = (index + static_cast<size_t> (run)) % windowLength;
        }

        channel.windowSum += windowDelta;
        channel.totalSquares += squares;
        channel.totalSum += sum;
        const auto clippedHere = static_cast<uint64_t> (blockClipped);

        channel.heldPeak = std::max (blockPeak, channel.heldPeak * release);
        channel.overallPeak = std::max (channel.overallPeak, blockPeak);
        channel.clipped += clippedHere;

        const auto clipping = clippedHere > 0;
        if (clipping && ! channel.wasClipping)
            context.post ({ EngineEvent::Kind::clipping, snapshot.streamSeconds, 0.0, c });
        channel.wasClipping = clipping;
    }

    writeIndex = (writeIndex + static_cast<size_t> (numSamples)) % windowLength;
    totalSamples += static_cast<uint64_t> (numSamples);

    // The running window sum drifts by rounding; recompute it once per window length.
    samplesSinceResum += static_cast<size_t> (numSamples);
    if (samplesSinceResum >= windowLength)
    {
        samplesSinceResum = 0;
        for (auto& channel : channels)
        {
            double sum = 0.0;
            for (auto square : channel.squares)
                sum += static_cast<double> (square);
            channel.windowSum = sum;
        }
    }

    const auto filled = static_cast<double> (std::min<uint64_t> (totalSamples, windowLength));
    for (int c = 0; c < numChannels; ++c)
    {
        const auto& channel = channels[static_cast<size_t> (c)];
        auto& levels = snapshot.levels[static_cast<size_t> (c)];
        levels.rmsDb = toDb (std::sqrt (std::max (channel.windowSum, 0.0) / filled));
        levels.peakDb = toDb (channel.heldPeak);
        levels.overallRmsDb = toDb (std::sqrt (channel.totalSquares / static_cast<double> (totalSamples)));
        levels.overallPeakDb = toDb (channel.overallPeak);
        levels.clippedSamples = channel.clipped;
        levels.dcOffset = static_cast<float> (channel.totalSum / static_cast<double> (totalSamples));
    }
}

} // namespace earshot
