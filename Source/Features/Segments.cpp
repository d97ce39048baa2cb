#include "Features/Segments.h"

#include <algorithm>
#include <cmath>

namespace earshot
{

void Segments::prepare (double frameRate, double windowSeconds, double minSegmentSeconds)
{
    window = std::max (2, static_cast<int> (std::round (windowSeconds * frameRate)));
    peakRadius = std::max (1, static_cast<int> (std::round (frameRate)));
    minGap = static_cast<int64_t> (std::round (minSegmentSeconds * frameRate));
    frames = 0;
    lastBoundary = -minGap - 1;
    history.assign (static_cast<size_t> (2 * window), Vector {});
    before.fill (0.0);
    after.fill (0.0);
    recentNovelty.assign (static_cast<size_t> (2 * peakRadius + 1), 0.0f);
    noveltyCount = noveltyMean = noveltySquares = 0.0;
}

Segments::Vector Segments::describe (const FeatureFrame& frame) noexcept
{
    Vector v {};
    // MFCC 0 is loudness, which segments by level rather than by content: left out.
    // Chroma sums to 1; scaled so harmony weighs about as much as timbre.
    for (int i = 1; i < FeatureFrame::numMfcc; ++i)
        v[static_cast<size_t> (i - 1)] = frame.mfcc[static_cast<size_t> (i)];
    for (int i = 0; i < FeatureFrame::numChroma; ++i)
        v[static_cast<size_t> (FeatureFrame::numMfcc - 1 + i)] = 10.0f * frame.chroma[static_cast<size_t> (i)];
    return v;
}

float Segments::novelty() const noexcept
{
    double distance = 0.0;
    for (size_t d = 0; d < static_cast<size_t> (dimensions); ++d)
    {
        const auto difference = (after[d] - before[d]) / window;
        distance += difference * difference;
    }
    return static_cast<float> (std::sqrt (distance));
}

int64_t Segments::process (const FeatureFrame& frame) noexcept
{
    const auto size = static_cast<int64_t> (history.size());
    const auto incoming = describe (frame);

    // The window "after" is the newest `window` frames, "before" the `window` frames ahead of them.
    if (frames >= window)
    {
        const auto& moving = history[static_cast<size_t> ((frames - window) % size)];
        for (size_t d = 0; d < static_cast<size_t> (dimensions); ++d)
        {
            after[d] -= moving[d];
            before[d] += moving[d];
        }
    }
    if (frames >= 2 * window)
    {
        const auto& leaving = history[static_cast<size_t> ((frames - 2 * window) % size)];
        for (size_t d = 0; d < static_cast<size_t> (dimensions); ++d)
            before[d] -= leaving[d];
    }
    for (size_t d = 0; d < static_cast<size_t> (dimensions); ++d)
        after[d] += incoming[d];
    history[static_cast<size_t> (frames % size)] = incoming;
    ++frames;

    if (frames < 2 * window)
        return -1;

    // Novelty centred on the frame `window` frames back.
    const auto current = novelty();
    std::rotate (recentNovelty.begin(), recentNovelty.begin() + 1, recentNovelty.end());
    recentNovelty.back() = current;

    noveltyCount += 1.0;
    const auto delta = current - noveltyMean;
    noveltyMean += delta / noveltyCount;
    noveltySquares += delta * (current - noveltyMean);

    // Decide for the centre of recentNovelty, now that peakRadius frames after it are known.
    const auto centreValue = recentNovelty[static_cast<size_t> (peakRadius)];
    const auto centreFrame = frames - 1 - window - peakRadius;
    if (noveltyCount < recentNovelty.size() || centreFrame - lastBoundary < minGap)
        return -1;

    const auto deviation = std::sqrt (noveltySquares / noveltyCount);
    const auto isPeak =
        std::max_element (recentNovelty.begin(), recentNovelty.end()) - recentNovelty.begin() == peakRadius;
    if (isPeak && centreValue > noveltyMean + 2.0 * deviation && centreValue > 1.0f)
    {
        lastBoundary = centreFrame;
        return centreFrame;
    }
    return -1;
}

} // namespace earshot
