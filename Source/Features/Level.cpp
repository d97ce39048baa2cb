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
    rmsWindowLength = static_cast<size_t> (std::max (1.0, std::round (rmsWindowSeconds * format.sampleRate)));
    rmsWindowFilled = 0;
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

        // The window ring is walked in contiguous runs (no wrap test per sample), cut
        // also where a 50 ms window ends; the sums are explicit SIMD reductions.
        auto index = writeIndex;
        auto filled = rmsWindowFilled;
        for (int done = 0; done < numSamples;)
        {
            const auto run = static_cast<int> (
                std::min ({ static_cast<size_t> (numSamples - done), windowLength - index, rmsWindowLength - filled }));
            auto* ring = channel.squares.data() + index;
            const auto* x = samples + done;
            double runSquares = 0.0;
#pragma omp simd reduction(+ : windowDelta, runSquares, sum, blockClipped)
            for (int i = 0; i < run; ++i)
            {
                const auto square = x[i] * x[i];
                windowDelta += static_cast<double> (square) - static_cast<double> (ring[i]);
                ring[i] = square;
                runSquares += static_cast<double> (square);
                sum += static_cast<double> (x[i]);
                blockClipped += std::abs (x[i]) >= 1.0f ? 1 : 0;
            }
            // JUCE's SIMD min/max: as `omp simd` min/max reductions GCC 12 keeps the running
            // values in memory, a store and a reload per vector.
            const auto range = juce::FloatVectorOperations::findMinAndMax (x, run);
            blockPeak = std::max ({ blockPeak, range.getEnd(), -range.getStart() });
            channel.minSample = std::min (channel.minSample, range.getStart());
            channel.maxSample = std::max (channel.maxSample, range.getEnd());
            squares += runSquares;
            channel.rmsWindowSquares += runSquares;
            done += run;
            index = (index + static_cast<size_t> (run)) % windowLength;
            filled += static_cast<size_t> (run);
            if (filled == rmsWindowLength)
            {
                const auto meanSquare = channel.rmsWindowSquares / static_cast<double> (rmsWindowLength);
                const auto first = channel.loudestWindow < 0.0;
                channel.loudestWindow = first ? meanSquare : std::max (channel.loudestWindow, meanSquare);
                channel.quietestWindow = first ? meanSquare : std::min (channel.quietestWindow, meanSquare);
                channel.rmsWindowSquares = 0.0;
                filled = 0;
            }
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
    rmsWindowFilled = (rmsWindowFilled + static_cast<size_t> (numSamples)) % rmsWindowLength;
    totalSamples += static_cast<uint64_t> (numSamples);

    // The running window sum drifts by rounding; recompute it once per window length.
    samplesSinceResum += static_cast<size_t> (numSamples);
    if (samplesSinceResum >= windowLength)
    {
        samplesSinceResum = 0;
        for (auto& channel : channels)
        {
            // Eight running sums: the additions do not wait on one another.
            double partial[8] = {};
            const auto* squares = channel.squares.data();
            size_t i = 0;
            for (; i + 8 <= windowLength; i += 8)
                for (size_t k = 0; k < 8; ++k)
                    partial[k] += static_cast<double> (squares[i + k]);
            for (; i < windowLength; ++i)
                partial[0] += static_cast<double> (squares[i]);
            channel.windowSum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                                ((partial[4] + partial[5]) + (partial[6] + partial[7]));
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

LevelStatistics Level::statistics (int channel) const noexcept
{
    if (channel < 0 || static_cast<size_t> (channel) >= channels.size())
        return {};
    const auto& c = channels[static_cast<size_t> (channel)];
    LevelStatistics result;
    if (totalSamples == 0)
        return result;
    result.minSample = c.minSample;
    result.maxSample = c.maxSample;
    if (c.loudestWindow >= 0.0)
    {
        result.rmsPeakDb = toDb (std::sqrt (c.loudestWindow));
        result.rmsTroughDb = toDb (std::sqrt (c.quietestWindow));
    }
    else
    {
        result.rmsPeakDb = result.rmsTroughDb = toDb (std::sqrt (c.totalSquares / static_cast<double> (totalSamples)));
    }
    return result;
}

} // namespace earshot
