#include "Features/Key.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
constexpr int numClasses = FeatureFrame::numChroma;
using Profile = std::array<double, numClasses>;

// Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
constexpr Profile kkMajor { 6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88 };
constexpr Profile kkMinor { 6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17 };

#ifndef KEY_HARMONICS
#define KEY_HARMONICS 1
#endif
#ifndef KEY_DECAY
#define KEY_DECAY 0.6
#endif
constexpr Profile withHarmonics (const Profile& notes)
{
    constexpr int harmonicClass[] { 0, 0, 7, 0, 4, 7, 10, 0 };
    Profile result {};
    for (int p = 0; p < numClasses; ++p)
    {
        double amplitude = 1.0;
        for (int n = 0; n < KEY_HARMONICS; ++n)
        {
            if (KEY_DECAY < 0) { amplitude = 1.0; for (int j = 0; j < 10; ++j) amplitude /= 1.0; amplitude = 1.0 / (n + 1.0); if (KEY_DECAY < -1.5) amplitude *= amplitude; }
            result[static_cast<size_t> ((p + harmonicClass[n]) % numClasses)] += notes[static_cast<size_t> (p)] * amplitude;
            if (KEY_DECAY > 0) amplitude *= KEY_DECAY;
        }
    }
    return result;
}
constexpr Profile majorProfile = withHarmonics (kkMajor);
constexpr Profile minorProfile = withHarmonics (kkMinor);

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

/** The accumulated chroma minus its mean, and that vector's length. */
struct CentredChroma
{
    Profile values {};
    double norm = 0.0;
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
    }

    // Pearson r: with the chroma already centred, the profile's mean drops out of the
    // dot product, so only its centred length is needed.
    double correlate (int tonic, bool isMinor) const noexcept
    {
        const auto& keyProfile = isMinor ? minorProfile : majorProfile;
        static_assert (numClasses == 12);
        double dot = 0.0;
        for (int i = 0; i < numClasses; ++i)
            dot += values[static_cast<size_t> (i)] * keyProfile[static_cast<size_t> ((i - tonic + 120) % 12)];
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
    best.confidence = headroom > 0.0 ? static_cast<float> (std::clamp ((bestR - secondR) / headroom, 0.0, 1.0)) : 0.0f;
    return best;
}

} // namespace earshot
