#pragma once

// The snapshot carries the features' plain-data records, the one place where
// Analysis includes anything from a folder above it (they hold no code).
#include "Features/FeatureFrame.h"
#include "Features/TrackSummary.h"

#include <array>
#include <cstdint>
#include <limits>

namespace earshot
{

/** Levels of one channel, in dBFS (-inf for digital silence). */
struct ChannelLevels
{
    /** RMS over the last 300 ms: the meter's bar. */
    float rmsDb = -std::numeric_limits<float>::infinity();
    /** Sample peak, held and released at 20 dB/s: the meter's peak line. */
    float peakDb = -std::numeric_limits<float>::infinity();
    /** RMS of everything analysed since the stream was prepared. */
    float overallRmsDb = -std::numeric_limits<float>::infinity();
    /** Highest sample magnitude since the stream was prepared. */
    float overallPeakDb = -std::numeric_limits<float>::infinity();
    /** Samples at or above full scale (|x| >= 1) since the stream was prepared. */
    uint64_t clippedSamples = 0;
    /** Mean sample value since the stream was prepared (DC offset), linear. */
    float dcOffset = 0.0f;
};

/** How the pipeline is keeping up. */
struct PipelineHealth
{
    uint64_t blocksAnalysed = 0;
    uint64_t samplesAnalysed = 0;
    /** Blocks the audio thread dropped because the ring was full. */
    uint64_t blocksDropped = 0;
    uint64_t samplesDropped = 0;
    /** Blocks that held NaN or Inf samples (analysed as silence). */
    uint64_t blocksWithInvalidSamples = 0;
    /** Events that did not fit the event queue. */
    uint64_t eventsLost = 0;
};

/** Recommendations for what is playing, ready to show: fixed-size text so the
    snapshot stays a plain value. */
struct RecommendationList
{
    enum class Status : uint8_t
    {
        /** No catalog at the configured path (run `earshot catalog add`). */
        noCatalog,
        loading,
        /** Not enough audio heard yet to recommend from. */
        listening,
        ready,
        /** The catalog could not be read; `message` says why. */
        failed
    };

    struct Entry
    {
        int64_t trackId = 0;
        float score = 0.0f;
        char title[96] {};
        char explanation[224] {};
    };

    static constexpr int maxEntries = 10;

    Status status = Status::loading;
    int count = 0;
    int64_t catalogSize = 0;
    /** Increases with every new list. */
    uint64_t generation = 0;
    char message[160] {};
    std::array<Entry, maxEntries> entries {};
};

/** The latest state of the analysis, published to the UI about every 20 ms.
    A plain value: copying it is cheap and needs no locks. */
struct Snapshot
{
    static constexpr int maxChannels = 8;

    /** Increases with every publication. */
    uint64_t sequence = 0;
    double sampleRate = 0.0;
    int numChannels = 0;
    /** Seconds of audio analysed since the stream was prepared. */
    double streamSeconds = 0.0;

    std::array<ChannelLevels, maxChannels> levels {};
    PipelineHealth health;

    /** The latest features (index 0 and -inf levels until the first hop). */
    FeatureFrame frame;
    /** The live summary: recent past weighted most (see FeatureSettings), refreshed twice a second. */
    TrackSummary summary;

    /** Tracks from the user's catalog that sound like what is playing. */
    RecommendationList recommendations;
};

} // namespace earshot
