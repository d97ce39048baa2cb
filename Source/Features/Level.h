#pragma once

#include "Analysis/AnalysisStage.h"

#include <limits>
#include <vector>

namespace earshot
{

/** What Level keeps of one channel since prepare() beyond the meters of Snapshot::levels. */
struct LevelStatistics
{
    /** The most negative and the most positive sample value (0 before any sample). */
    float minSample = 0.0f, maxSample = 0.0f;
    /** The loudest and the quietest RMS over consecutive windows of Level::rmsWindowSeconds
        counted from the start of the stream, dBFS (-inf for a silent window). Before
        the first window is complete, both are the RMS so far. */
    float rmsPeakDb = -std::numeric_limits<float>::infinity();
    float rmsTroughDb = -std::numeric_limits<float>::infinity();
};

/** Per-channel level: RMS over a sliding 300 ms window, sample peak with a
    20 dB/s release, and totals since the stream began (RMS, peak, clipped samples,
    DC offset; and in statistics(), the sample range and the loudest and quietest
    50 ms). Writes Snapshot::levels; posts a clipping event when a channel starts
    clipping. The windows are counted from the stream's start, so the results do
    not depend on the block sizes (but for the rounding of the running totals).

    Threads: prepare() while the analysis thread is stopped; process() and
    statistics() on the analysis thread (or any thread once it has stopped).
*/
class Level final : public AnalysisStage
{
public:
    static constexpr double windowSeconds = 0.3;
    static constexpr double peakReleaseDbPerSecond = 20.0;
    /** The window of LevelStatistics' RMS peak and trough (as `sox stats` uses). */
    static constexpr double rmsWindowSeconds = 0.05;

    void prepare (const StreamFormat& format) override;
    void process (const AudioBlock& block, AnalysisContext& context) override;

    /** Channel `channel`'s statistics since prepare(); defaults for a channel it does not have. */
    LevelStatistics statistics (int channel) const noexcept;

private:
    struct Channel
    {
        std::vector<float> squares; // sliding window of squared samples
        double windowSum = 0.0;
        double totalSquares = 0.0;
        double totalSum = 0.0;
        float heldPeak = 0.0f;
        float overallPeak = 0.0f;
        float minSample = std::numeric_limits<float>::max(), maxSample = std::numeric_limits<float>::lowest();
        double rmsWindowSquares = 0.0;                      // of the 50 ms window being filled
        double loudestWindow = -1.0, quietestWindow = -1.0; // mean squares of complete windows; -1 before the first
        uint64_t clipped = 0;
        bool wasClipping = false;
    };

    std::vector<Channel> channels;
    size_t windowLength = 1;
    size_t writeIndex = 0;
    size_t samplesSinceResum = 0;
    size_t rmsWindowLength = 1, rmsWindowFilled = 0;
    uint64_t totalSamples = 0;
    double sampleRate = 44100.0;
};

} // namespace earshot
