#include "Features/Onsets.h"

#include "Features/FastMath.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
constexpr double lowestBandHz = 30.0;
constexpr double highestBandHz = 16000.0;
constexpr double bandsPerOctave = 12.0;

// Magnitudes read 1.0 for a full-scale sine; 1000 puts the knee of the log at
// -60 dB, so quiet onsets still count while loud ones do not swamp the ODF.
constexpr float compression = 1000.0f;

constexpr int lookAheadFrames = 2;        // ~23 ms at 44.1 kHz / 512
constexpr double maxBeforeSeconds = 0.03; // a peak must top the 30 ms before it
constexpr double medianSeconds = 0.1;     // the local background the peak must exceed
constexpr double minGapSeconds = 0.05;
constexpr double recentMeanSeconds = 2.0;

// Offset over the local median: an absolute floor (far above the ~0.002 flux of a
// steady sine's frame-to-frame wobble, below the ~0.02 of a -40 dBFS click) plus the
// recent mean ODF, which stationary noise's ODF hovers around (white noise then
// gives ~0.35 onsets/s instead of ~1.5 with half the mean).
constexpr float absoluteOffset = 0.01f;
constexpr float relativeOffset = 1.0f;

size_t toIndex (long long i, int size) noexcept
{
    return static_cast<size_t> (i % size);
}
} // namespace

void Onsets::prepare (double sampleRate, int fftSize, double newFrameRate)
{
    frameRate = newFrameRate;
    numBins = fftSize / 2 + 1;

    // Log-spaced band edges in bins; below ~370 Hz bands would be narrower than a
    // bin, so there each bin is its own band.
    const auto binHz = sampleRate / fftSize;
    const auto topBin = std::min (numBins, static_cast<int> (std::lround (highestBandHz / binHz)) + 1);
    bandEdges.assign (1, std::max (1, static_cast<int> (std::lround (lowestBandHz / binHz))));
    for (auto hz = lowestBandHz; bandEdges.back() < topBin; hz *= std::exp2 (1.0 / bandsPerOctave))
    {
        const auto edge = std::min (topBin, static_cast<int> (std::lround (hz / binHz)));
        if (edge > bandEdges.back())
            bandEdges.push_back (edge);
    }
    previousBands.assign (bandEdges.size() - 1, 0.0f);

    maxBefore = std::max (1, static_cast<int> (std::lround (maxBeforeSeconds * frameRate)));
    medianBefore = std::max (maxBefore, static_cast<int> (std::lround (medianSeconds * frameRate)));
    minGapFrames = std::max (1, static_cast<int> (std::lround (minGapSeconds * frameRate)));
    historySize = medianBefore + lookAheadFrames + 1;
    history.assign (static_cast<size_t> (historySize), 0.0f);
    medianScratch.assign (static_cast<size_t> (historySize), 0.0f);
    recentMeanCoefficient = static_cast<float> (std::exp (-1.0 / (recentMeanSeconds * frameRate)));
    recentMean = 0.0f;

    detected = false;
    frames = onsets = 0;
    lastOnsetFrame = -minGapFrames;
}

float Onsets::process (const float* magnitudes) noexcept
{
    const auto numBands = static_cast<int> (previousBands.size());
    float flux = 0.0f;
    for (int b = 0; b < numBands; ++b)
    {
        const auto first = bandEdges[static_cast<size_t> (b)];
        const auto last = bandEdges[static_cast<size_t> (b + 1)];
        float sum = 0.0f;
        for (int k = first; k < last; ++k)
            sum += magnitudes[k];
        // fastLog, not logf: the 82 logs per frame were most of this class's cost.
        const auto level = fastLog (1.0f + compression * sum / static_cast<float> (last - first));
        auto& previous = previousBands[static_cast<size_t> (b)];
        flux += std::max (0.0f, level - previous);
        previous = level;
    }
    const auto odf = numBands > 0 ? flux / static_cast<float> (numBands) : 0.0f;

    history[toIndex (frames, historySize)] = odf;
    recentMean = recentMeanCoefficient * recentMean + (1.0f - recentMeanCoefficient) * odf;
    detected = pickPeak();
    if (detected)
        ++onsets;
    ++frames;
    return odf;
}

bool Onsets::pickPeak() noexcept
{
    const auto candidate = frames - lookAheadFrames;
    if (candidate < 0 || candidate - lastOnsetFrame < minGapFrames)
        return false;

    // Frames before the stream are silence: history starts zeroed, so an index
    // below 0 reads 0 through the ring. Shift by historySize to keep it positive.
    const auto at = [this] (long long frame) { return history[toIndex (frame + historySize, historySize)]; };
    const auto value = at (candidate);

    for (auto f = candidate - maxBefore; f < candidate; ++f)
        if (at (f) >= value)
            return false;
    for (auto f = candidate + 1; f <= frames; ++f)
        if (at (f) > value)
            return false;

    // The history holds exactly the median window: medianBefore frames before the
    // candidate, the candidate and its look-ahead.
    std::copy (history.begin(), history.end(), medianScratch.begin());
    const auto middle = medianScratch.begin() + historySize / 2;
    std::nth_element (medianScratch.begin(), middle, medianScratch.end());
    if (value < *middle + absoluteOffset + relativeOffset * recentMean)
        return false;

    lastOnsetFrame = candidate;
    return true;
}

bool Onsets::onsetDetected() const noexcept
{
    return detected;
}

int Onsets::latencyFrames() const noexcept
{
    return lookAheadFrames;
}

double Onsets::timeOfFrame (double frame, double frameRate) noexcept
{
    constexpr double peakDelayFrames = 0.25;
    return std::max (0.0, (frame - peakDelayFrames) / frameRate);
}

double Onsets::onsetRate() const noexcept
{
    return frames > 0 ? static_cast<double> (onsets) * frameRate / static_cast<double> (frames) : 0.0;
}

} // namespace earshot
