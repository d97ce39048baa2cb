#pragma once

#include "Analysis/AnalysisStage.h"

#include <vector>

namespace earshot
{

/** Per-channel level: RMS over a sliding 300 ms window, sample peak with a
    20 dB/s release, and totals since the stream began (RMS, peak, clipped samples).
    Writes Snapshot::levels; posts a clipping event when a channel starts clipping.
*/
class Level final : public AnalysisStage
{
public:
    static constexpr double windowSeconds = 0.3;
    static constexpr double peakReleaseDbPerSecond = 20.0;

    void prepare (const StreamFormat& format) override;
    void process (const AudioBlock& block, AnalysisContext& context) override;

private:
    struct Channel
    {
        std::vector<float> squares; // sliding window of squared samples
        double windowSum = 0.0;
        double totalSquares = 0.0;
        double totalSum = 0.0;
        float heldPeak = 0.0f;
        float overallPeak = 0.0f;
        uint64_t clipped = 0;
        bool wasClipping = false;
    };

    std::vector<Channel> channels;
    size_t windowLength = 1;
    size_t writeIndex = 0;
    size_t samplesSinceResum = 0;
    uint64_t totalSamples = 0;
    double sampleRate = 44100.0;
};

} // namespace earshot
