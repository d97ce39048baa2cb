#include "Features/Mfcc.h"

#include "Features/FastMath.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
// Slaney's mel scale (Auditory Toolbox): 200/3 Hz per mel up to 1 kHz, then a constant
// ratio of 6.4^(1/27) per mel.
constexpr double linearHzPerMel = 200.0 / 3.0;
constexpr double breakHz = 1000.0;
constexpr double breakMel = breakHz / linearHzPerMel;
constexpr double logStepPerMel = 1.8562979903656263 / 27.0; // ln (6.4) / 27

double hzToMel (double hz) noexcept
{
    return hz < breakHz ? hz / linearHzPerMel : breakMel + std::log (hz / breakHz) / logStepPerMel;
}

double melToHz (double mel) noexcept
{
    return mel < breakMel ? mel * linearHzPerMel : breakHz * std::exp ((mel - breakMel) * logStepPerMel);
}
} // namespace

void Mfcc::prepare (double sampleRate, int fftSize)
{
    const int numBins = fftSize / 2 + 1;
    const double binHz = sampleRate / fftSize;
    const double topHz = std::min (static_cast<double> (maxFrequencyHz), sampleRate / 2.0);
    const double lowMel = hzToMel (minFrequencyHz);
    const double highMel = hzToMel (topHz);

    // numBands + 2 edges: band b rises from edge b to its peak at b + 1 and falls to b + 2.
    std::array<double, numBands + 2> edgeHz {};
    for (size_t i = 0; i < edgeHz.size(); ++i)
        edgeHz[i] = melToHz (lowMel + (highMel - lowMel) * static_cast<double> (i) / (numBands + 1));

    taps.clear();
    taps.reserve (static_cast<size_t> (2 * numBins + numBands));
    for (size_t b = 0; b < static_cast<size_t> (numBands); ++b)
    {
        bandStart[b] = static_cast<int> (taps.size());
        const double lo = edgeHz[b], peak = edgeHz[b + 1], hi = edgeHz[b + 2];
        double weightSum = 0.0;
        const auto firstBin = std::max (0, static_cast<int> (std::ceil (lo / binHz)));
        const auto lastBin = std::min (numBins - 1, static_cast<int> (std::floor (hi / binHz)));
        for (int k = firstBin; k <= lastBin; ++k)
        {
            const double hz = k * binHz;
            const double weight = hz <= peak ? (hz - lo) / (peak - lo) : (hi - hz) / (hi - peak);
            if (weight > 0.0)
            {
                taps.push_back ({ k, static_cast<float> (weight) });
                weightSum += weight;
            }
        }

        // A band narrower than a bin (small FFTs only) would read nothing: give it the
        // bin nearest its peak instead, so no band sits on the floor for a loud signal.
        if (weightSum <= 0.0)
        {
            taps.push_back ({ std::min (numBins - 1, static_cast<int> (std::lround (peak / binHz))), 1.0f });
            weightSum = 1.0;
        }

        for (auto i = static_cast<size_t> (bandStart[b]); i < taps.size(); ++i)
            taps[i].weight = static_cast<float> (taps[i].weight / weightSum);
    }
    bandStart[numBands] = static_cast<int> (taps.size());

    // Orthonormal DCT-II: row 0 scaled by sqrt(1/N), the others by sqrt(2/N).
    for (size_t c = 0; c < dct.size(); ++c)
    {
        const double scale = std::sqrt ((c == 0 ? 1.0 : 2.0) / numBands);
        for (size_t b = 0; b < static_cast<size_t> (numBands); ++b)
            dct[c][b] = static_cast<float> (
                scale * std::cos (M_PI * static_cast<double> (c) * (static_cast<double> (b) + 0.5) / numBands));
    }
    logPowers.fill (fastLog (powerFloor));
}

void Mfcc::compute (const float* magnitudes, std::array<float, FeatureFrame::numMfcc>& out) noexcept
{
    for (size_t b = 0; b < static_cast<size_t> (numBands); ++b)
    {
        float power = 0.0f;
        const auto end = static_cast<size_t> (bandStart[b + 1]);
        for (auto i = static_cast<size_t> (bandStart[b]); i < end; ++i)
        {
            const float magnitude = magnitudes[taps[i].bin];
            power += taps[i].weight * magnitude * magnitude;
        }
        // Written so that NaN also lands on the floor. fastLog: within 1e-4 of std::log.
        logPowers[b] = fastLog (power > powerFloor ? power : powerFloor);
    }

    for (size_t c = 0; c < out.size(); ++c)
    {
        float sum = 0.0f;
        for (size_t b = 0; b < static_cast<size_t> (numBands); ++b)
            sum += dct[c][b] * logPowers[b];
        out[c] = sum;
    }
}

} // namespace earshot
