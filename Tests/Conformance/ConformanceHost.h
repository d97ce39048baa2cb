#pragma once

#include "EarshotProcessor.h"
#include "Support/AllocationGuard.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace earshot::test
{

/** What a host's audio thread must never see the plugin do, counted around
    processBlock() only (the host's own work between blocks is its business).
    Under ASan/TSan the allocation guard is off and every count stays 0. */
struct RealtimeViolations
{
    uint64_t allocations = 0;
    uint64_t deallocations = 0;
    uint64_t locks = 0;
};

/** Calls processBlock() as a host's audio callback does, counting what the plugin
    allocates, frees and locks on this thread meanwhile. Any thread (the caller's
    is the audio thread). */
inline void processCounted (EarshotProcessor& processor, juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi,
                            RealtimeViolations& violations)
{
    const ScopedAllocationGuard guard;
    processor.processBlock (buffer, midi);
    violations.allocations += guard.allocations();
    violations.deallocations += guard.deallocations();
    violations.locks += guard.locks();
}

/** The same through the host's own bypass (processBlockBypassed). */
inline void processBypassedCounted (EarshotProcessor& processor, juce::AudioBuffer<float>& buffer,
                                    juce::MidiBuffer& midi, RealtimeViolations& violations)
{
    const ScopedAllocationGuard guard;
    processor.processBlockBypassed (buffer, midi);
    violations.allocations += guard.allocations();
    violations.deallocations += guard.deallocations();
    violations.locks += guard.locks();
}

/** Prepares the way JUCE's plugin wrappers do: the processor learns the rate and
    block size first, then prepareToPlay(). Message thread (the host's). */
inline void prepareAsHost (EarshotProcessor& processor, double sampleRate, int maximumBlockSize)
{
    processor.setRateAndBufferSizeDetails (sampleRate, maximumBlockSize);
    processor.prepareToPlay (sampleRate, maximumBlockSize);
}

/** Bus layout with one main input and one main output of `channels`. */
inline juce::AudioProcessor::BusesLayout layoutOf (const juce::AudioChannelSet& channels)
{
    juce::AudioProcessor::BusesLayout buses;
    buses.inputBuses.add (channels);
    buses.outputBuses.add (channels);
    return buses;
}

/** True if `block` holds exactly the bits of `source` from `sourceStart` on (NaN included). */
inline bool bitIdentical (const juce::AudioBuffer<float>& block, const juce::AudioBuffer<float>& source,
                          int sourceStart = 0)
{
    if (block.getNumChannels() != source.getNumChannels() ||
        sourceStart + block.getNumSamples() > source.getNumSamples())
        return false;
    for (int c = 0; c < block.getNumChannels(); ++c)
        if (std::memcmp (block.getReadPointer (c), source.getReadPointer (c, sourceStart),
                         sizeof (float) * static_cast<size_t> (block.getNumSamples())) != 0)
            return false;
    return true;
}

/** The Level stage's dB of a linear magnitude, computed as it computes it. */
inline float levelDb (float magnitude) noexcept
{
    return magnitude > 0.0f ? static_cast<float> (20.0 * std::log10 (static_cast<double> (magnitude)))
                            : -std::numeric_limits<float>::infinity();
}

/** The Level stage's levels of `channel`. */
inline const ChannelLevels& levelsOf (const Snapshot& snapshot, int channel)
{
    return snapshot.levels[static_cast<size_t> (channel)];
}

/** Highest magnitude in channel `channel` of `buffer`. */
inline float peakOf (const juce::AudioBuffer<float>& buffer, int channel)
{
    float peak = 0.0f;
    for (int i = 0; i < buffer.getNumSamples(); ++i)
        peak = std::max (peak, std::abs (buffer.getSample (channel, i)));
    return peak;
}

/** Tests push audio faster than real time, and the tap drops what its ring (two
    seconds) cannot hold. Waiting for the analysis to catch up whenever a quarter
    of the ring could have filled means no block is ever dropped, so a test can
    count them all. Called by the test's audio thread between blocks, never
    inside processBlock(). */
class AnalysisPacer final
{
public:
    AnalysisPacer (EarshotProcessor& processorToPace, double sampleRate)
        : processor (processorToPace)
        , sampleLimit (static_cast<int64_t> (sampleRate * AudioTap::ringSeconds / 4.0))
    {
    }

    /** @returns false if the analysis did not catch up (the engine stopped). */
    bool afterBlock (int numSamples)
    {
        samples += numSamples;
        ++blocks;
        // The ring holds at least 4096 block headers.
        if (samples < sampleLimit && blocks < 1024)
            return true;
        samples = blocks = 0;
        return processor.getEngine().waitUntilIdle();
    }

private:
    EarshotProcessor& processor;
    const int64_t sampleLimit;
    int64_t samples = 0;
    int blocks = 0;
};

/** Checks that the audio thread did none of what it must not. */
inline void checkRealtimeSafe (const RealtimeViolations& violations)
{
    CHECK (violations.allocations == 0);
    CHECK (violations.deallocations == 0);
    CHECK (violations.locks == 0);
}

/** What play() saw. */
struct Played
{
    int blocks = 0; // blocks with samples; a host's empty blocks are not pushed
    int64_t samples = 0;
    int notPassedThrough = 0;
    RealtimeViolations violations;
};

/** Plays `signal` through `processor` as a host's audio thread does, in blocks of
    the sizes `nextBlockSize()` gives, and checks that every block comes out
    bit-identical to what went in (`expectedOutput`, when the plugin applies gain). */
template <typename NextBlockSize>
void play (EarshotProcessor& processor, const juce::AudioBuffer<float>& signal, double sampleRate,
           NextBlockSize&& nextBlockSize, Played& played, const juce::AudioBuffer<float>* expectedOutput = nullptr)
{
    // The host's buffer, allocated before playback starts.
    juce::AudioBuffer<float> block (signal.getNumChannels(), 4096);
    juce::MidiBuffer midi;
    AnalysisPacer pacer (processor, sampleRate);

    for (int position = 0; position < signal.getNumSamples();)
    {
        const auto size = std::min (static_cast<int> (nextBlockSize()), signal.getNumSamples() - position);
        block.setSize (signal.getNumChannels(), size, false, false, true);
        for (int c = 0; c < signal.getNumChannels(); ++c)
            block.copyFrom (c, 0, signal, c, position, size);

        processCounted (processor, block, midi, played.violations);

        if (! bitIdentical (block, expectedOutput != nullptr ? *expectedOutput : signal, position))
            ++played.notPassedThrough;
        position += size;
        played.samples += size;
        played.blocks += size > 0 ? 1 : 0;
        if (! pacer.afterBlock (size))
            FAIL ("the analysis stopped while audio was playing");
    }
}

} // namespace earshot::test
