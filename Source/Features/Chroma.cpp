#include "Features/Chroma.h"

#include "Features/FastMath.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
constexpr float pi = 3.14159265f;

/** sin (x) for |x| <= pi / 2 within 2e-4 (Taylor series to x^7). Up to ~100 peaks per
    frame each need two sines and a log: library calls would cost more than the FFT. */
float sineNearZero (float x) noexcept
{
    const float x2 = x * x;
    return x * (1.0f - x2 / 6.0f * (1.0f - x2 / 20.0f * (1.0f - x2 / 42.0f)));
}
} // namespace

void Chroma::prepare (double sampleRate, int fftSize)
{
    const double binHz = sampleRate / fftSize;
    const int numBins = fftSize / 2 + 1;
    // Leave the top bin out so that every candidate peak has two neighbours.
    firstBin = std::max (1, static_cast<int> (std::ceil (minFrequencyHz / binHz)));
    lastBin = std::min (numBins - 2, static_cast<int> (std::floor (maxFrequencyHz / binHz)));
    midiNoteAtBinOne = static_cast<float> (69.0 + 12.0 * std::log2 (binHz / 440.0));
}

void Chroma::compute (const float* magnitudes, std::array<float, FeatureFrame::numChroma>& out) noexcept
{
    out.fill (0.0f);

    float strongest = 0.0f;
    for (int k = firstBin; k <= lastBin; ++k)
        strongest = std::max (strongest, magnitudes[k]);
    // Also false for NaN: an invalid spectrum reads as silence.
    if (! (strongest > absoluteFloor))
        return;

    const float threshold = std::max (absoluteFloor, relativeFloor * strongest);
    float total = 0.0f;
    for (int k = firstBin; k <= lastBin; ++k)
    {
        const float peak = magnitudes[k];
        const float below = magnitudes[k - 1], above = magnitudes[k + 1];
        // '>' on one side and '>=' on the other counts a flat top of two bins once.
        if (! (peak > threshold && peak > below && peak >= above))
            continue;

        // Hann window: the larger neighbour's ratio a gives the offset exactly for one
        // sinusoid (a = (1 + d) / (2 - d) solved for d). a < 0.5 is no clean sinusoid
        // (noise, two partials interfering): keep the bin centre.
        const float ratio = std::max (below, above) / peak;
        float offset = std::clamp ((2.0f * ratio - 1.0f) / (ratio + 1.0f), 0.0f, 0.5f);
        if (below > above)
            offset = -offset;

        // Undo the scalloping loss (up to 1.4 dB half-way between bins).
        float amplitude = peak;
        const float d = std::abs (offset);
        if (d > 1.0e-4f)
            amplitude *= pi * d * (1.0f - d * d) / sineNearZero (pi * d);

        const float midiNote = midiNoteAtBinOne + 12.0f * fastLog2 (static_cast<float> (k) + offset);
        const float lowerNote = std::floor (midiNote);
        const float fraction = midiNote - lowerNote;
        // cos^2 (pi f / 2) = (1 + cos (pi f)) / 2 = (1 - sin (pi (f - 1/2))) / 2; the upper
        // class gets the rest.
        const float lowerWeight = 0.5f * (1.0f - sineNearZero (pi * (fraction - 0.5f)));
        const auto lowerClass = static_cast<size_t> ((static_cast<int> (lowerNote) % 12 + 12) % 12);
        out[lowerClass] += amplitude * lowerWeight;
        out[(lowerClass + 1) % 12] += amplitude * (1.0f - lowerWeight);
        total += amplitude;
    }

    if (total > 0.0f)
        for (auto& value : out)
            value /= total;
}

} // namespace earshot
