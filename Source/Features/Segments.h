#pragma once

#include "Features/FeatureFrame.h"

#include <vector>

namespace earshot
{

/** Novelty-based segment (and track-change) boundaries.

    Each frame contributes a timbre-and-harmony vector (MFCC 1..12 and chroma).
    The novelty at a frame is the distance between the mean vector of the window
    before it and of the window after it; a boundary is a novelty peak that stands
    out from the novelty seen so far (mean + 2 standard deviations, and above a
    floor), is the highest within +-1 s, and lies at least minSegmentSeconds after
    the previous boundary. Looking ahead costs one window of latency: a boundary
    is reported windowSeconds + 1 s after it happened.

    Thread: one instance per analysis thread; process() never allocates.
*/
class Segments final
{
public:
    static constexpr int dimensions = (FeatureFrame::numMfcc - 1) + FeatureFrame::numChroma;

    void prepare (double frameRate, double windowSeconds = 3.0, double minSegmentSeconds = 8.0);

    /** Feeds one frame. @returns the frame index of a boundary confirmed now, or -1. */
    int64_t process (const FeatureFrame& frame) noexcept;

private:
    using Vector = std::array<float, dimensions>;
    static Vector describe (const FeatureFrame& frame) noexcept;
    float novelty() const noexcept;

    int window = 1, peakRadius = 1;
    int64_t minGap = 1, frames = 0, lastBoundary = -1000000000;
    std::vector<Vector> history; // the last 2 * window vectors
    std::array<double, dimensions> before {}, after {};
    std::vector<float> recentNovelty; // novelty of the last 2 * peakRadius + 1 centres
    double noveltyCount = 0.0, noveltyMean = 0.0, noveltySquares = 0.0;
};

} // namespace earshot
