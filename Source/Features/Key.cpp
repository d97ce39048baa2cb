#include "Features/Key.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
constexpr int numClasses = FeatureFrame::numChroma;
using Profile = std::array<double, numClasses>;

// Chroma flatter than this (white noise gives ~0.2, music 0.7..1) earns proportionally
// less confidence: correlation alone finds a "best key" in any random ripple.
constexpr double tonalVariation = 0.5;

// Temperley's Kostka–Payne profiles (Temperley 2007, "Music and Probability"): the share
// of textbook excerpts in which each scale degree occurs, tonic first. Unlike the
// Krumhansl–Kessler ratings they nearly exclude chromatic degrees; KK read 4 of 24
// minor i-iv-V-i cadences as the parallel major in HarmonyTests, these none.
constexpr Profile majorProfile { 0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400 };
constexpr Profile minorProfile { 0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330 };

constexpr const char* pitchNames[numClasses] { "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };

double centredNorm (const Profile& values) noexcept
{
    double mean = 0.0;
    for (auto v : values)
        mean += v / numClasses;
    double sumSquares = 0.0;
    for (auto v : values)
        sumSquares += (v - mean) * (v - mean);
    return std::sqrt (sumSquares);
}

/** The accumulated chroma minus its mean, that vector's length, and its coefficient of
    variation (standard deviation / mean: 0.85 for a diatonic scale in equal parts). */
struct CentredChroma
{
    Profile values {};
    double norm = 0.0;
    double variation = 0.0;
    bool hasShape = false; // false for nothing added, silence, or an exactly flat chroma

    explicit CentredChroma (const Profile& chroma) noexcept
    {
        double mean = 0.0;
        for (auto v : chroma)
            mean += v / numClasses;
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = chroma[i] - mean;
        norm = centredNorm (chroma);
        // Relative to the level: rounding leaves ~1e-16 of spread in a flat chroma.
        hasShape = mean > 0.0 && norm > 1.0e-9 * mean;
        variation = hasShape ? norm / std::sqrt (static_cast<double> (numClasses)) / mean : 0.0;
    }

    // Pearson r: with the chroma already centred, the profile's mean drops out of the
    // dot product, so only its centred length is needed.
    double correlate (int tonic, bool isMinor) const noexcept
    {
        const auto& keyProfile = isMinor ? minorProfile : majorProfile;
        double dot = 0.0;
        for (int i = 0; i < numClasses; ++i)
            dot += values[static_cast<size_t> (i)] *
                   keyProfile[static_cast<size_t> (((i - tonic) % numClasses + numClasses) % numClasses)];
        return dot / (norm * centredNorm (keyProfile));
    }
};
} // namespace

std::string KeyEstimate::name() const
{
    return std::string (pitchNames[(tonic % numClasses + numClasses) % numClasses]) + (isMinor ? " minor" : " major");
}

void Key::reset() noexcept
{
    accumulated.fill (0.0);
}

void Key::addChroma (const std::array<float, FeatureFrame::numChroma>& chroma, float weight) noexcept
{
    if (! (std::isfinite (weight) && weight > 0.0f))
        return;
    for (auto v : chroma)
        if (! std::isfinite (v))
            return;
    for (size_t i = 0; i < accumulated.size(); ++i)
        accumulated[i] += static_cast<double> (weight) * static_cast<double> (chroma[i]);
}

double Key::correlation (int tonic, bool isMinor) const noexcept
{
    const CentredChroma chroma (accumulated);
    return chroma.hasShape ? chroma.correlate (tonic, isMinor) : 0.0;
}

KeyEstimate Key::estimate() const noexcept
{
    const CentredChroma chroma (accumulated);
    if (! chroma.hasShape)
        return {};

    KeyEstimate best;
    double bestR = -2.0, secondR = -2.0;
    for (int mode = 0; mode < 2; ++mode)
    {
        for (int tonic = 0; tonic < numClasses; ++tonic)
        {
            const double r = chroma.correlate (tonic, mode == 1);
            if (r > bestR)
            {
                secondR = bestR;
                bestR = r;
                best.tonic = tonic;
                best.isMinor = mode == 1;
            }
            else if (r > secondR)
            {
                secondR = r;
            }
        }
    }

    const double headroom = 1.0 - secondR;
    const double margin = headroom > 0.0 ? std::clamp ((bestR - secondR) / headroom, 0.0, 1.0) : 0.0;
    best.confidence = static_cast<float> (margin * std::min (1.0, chroma.variation / tonalVariation));
    return best;
}

} // namespace earshot
