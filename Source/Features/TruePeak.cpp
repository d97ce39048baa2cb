#include "Features/TruePeak.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace earshot
{

namespace
{
constexpr int tapsPerPhase = 12;
constexpr int historyLength = tapsPerPhase - 1;
constexpr double minOversampledRate = 176400.0;
constexpr int maxFactor = 16;
constexpr double kaiserBeta = 6.0;
constexpr double pi = 3.14159265358979323846;

// Outputs are computed this many at a time, one SIMD-friendly loop over the block per
// tap, so each output is the same sequence of float operations wherever it falls in
// a call: that keeps results bit-identical however the stream is split.
constexpr int blockSize = 16;

// process() works through its input in chunks of this many frames per channel (a
// multiple of blockSize), through buffers sized in prepare().
constexpr int chunkFrames = 1024;
constexpr size_t bufferStride = historyLength + chunkFrames;

constexpr float silenceBelow = 1.0e-30f;
constexpr float overflowAbove = 1.0e30f;

// Modified Bessel function of the first kind, order 0, by its power series (for the
// Kaiser window; std::cyl_bessel_i is missing from some standard libraries).
double besselI0 (double x) noexcept
{
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 50; ++k)
    {
        const auto factor = x / (2.0 * k);
        term *= factor * factor;
        sum += term;
    }
    return sum;
}

int oversamplingFactorFor (double sampleRate) noexcept
{
    int factor = 1;
    while (factor < maxFactor && sampleRate * factor < minOversampledRate)
        factor *= 2;
    return factor;
}

// Phases 1 .. factor-1 of the windowed-sinc interpolator (see the class comment), each
// scaled to unit DC gain and stored with its taps reversed: tap i multiplies
// x[n - (tapsPerPhase - 1) + i], so every phase is a forward dot product.
std::vector<float> designPhases (int factor)
{
    const auto length = factor * tapsPerPhase + 1;
    const auto centre = 0.5 * (length - 1);
    std::vector<float> phases;
    phases.reserve (static_cast<size_t> ((factor - 1) * tapsPerPhase));
    for (int phase = 1; phase < factor; ++phase)
    {
        double taps[tapsPerPhase];
        double sum = 0.0;
        for (int i = 0; i < tapsPerPhase; ++i)
        {
            const auto j = phase + factor * i;
            const auto m = (j - centre) / factor;
            const auto sinc = std::sin (pi * m) / (pi * m); // m is never 0 off phase 0
            const auto position = 2.0 * j / (length - 1) - 1.0;
            const auto window = besselI0 (kaiserBeta * std::sqrt (1.0 - position * position)) / besselI0 (kaiserBeta);
            taps[i] = sinc * window;
            sum += taps[i];
        }
        for (int i = tapsPerPhase - 1; i >= 0; --i)
            phases.push_back (static_cast<float> (taps[i] / sum));
    }
    return phases;
}

// A bound B with |computed output| <= B * max |input| for every phase. The exact sum
// of |taps| bounds the exact output; float rounding of the 12 products and sums can
// add at most 12 * 2^-24 relative (< 1e-6), covered with room by the 1e-5 margin, which
// also covers rounding the bound itself and its product with the input.
float gainBound (const std::vector<float>& phases)
{
    double largest = 0.0;
    for (size_t start = 0; start < phases.size(); start += tapsPerPhase)
    {
        double sum = 0.0;
        for (size_t i = start; i < start + tapsPerPhase; ++i)
            sum += std::abs (static_cast<double> (phases[i]));
        largest = std::max (largest, sum);
    }
    return static_cast<float> (largest * (1.0 + 1.0e-5));
}

// Largest magnitude in `numSamples` (a multiple of 8) samples; eight running maxima
// keep the loop free of a serial dependency so it vectorises.
float maxMagnitude (const float* samples, int numSamples) noexcept
{
    float lanes[8] = {};
    for (int i = 0; i < numSamples; i += 8)
        for (int k = 0; k < 8; ++k)
            lanes[k] = std::max (lanes[k], std::abs (samples[i + k]));
    return *std::max_element (lanes, lanes + 8);
}

// Copies a channel's samples, measuring unusable ones as silence (see the class comment).
void copySanitised (const float* in, float* out, int numSamples) noexcept
{
    if (in == nullptr)
    {
        std::fill (out, out + numSamples, 0.0f);
        return;
    }
    for (int i = 0; i < numSamples; ++i)
    {
        const auto magnitude = std::abs (in[i]);
        // NaN fails both comparisons.
        out[i] = magnitude >= silenceBelow && magnitude <= overflowAbove ? in[i] : 0.0f;
    }
}
} // namespace

void TruePeak::prepare (double sampleRate, int newNumChannels)
{
    coefficients.clear();
    buffers.clear();
    factor = 0;
    numChannels = 0;
    phaseGainBound = 0.0f;
    lastPeak = peak = 0.0f;

    // NaN fails this comparison too.
    if (! (sampleRate > 0.0 && std::isfinite (sampleRate)) || newNumChannels < 1)
        return;

    factor = oversamplingFactorFor (sampleRate);
    numChannels = newNumChannels;
    coefficients = designPhases (factor);
    phaseGainBound = gainBound (coefficients);
    buffers.assign (static_cast<size_t> (numChannels) * bufferStride, 0.0f);
}

void TruePeak::reset() noexcept
{
    std::fill (buffers.begin(), buffers.end(), 0.0f);
    lastPeak = peak = 0.0f;
}

void TruePeak::process (const float* const* channels, int numSamples) noexcept
{
    lastPeak = 0.0f;
    if (numChannels == 0 || channels == nullptr || numSamples <= 0)
        return;

    float callPeak = 0.0f;
    for (int start = 0; start < numSamples; start += chunkFrames)
    {
        const auto frames = std::min (chunkFrames, numSamples - start);
        const auto paddedFrames = (frames + blockSize - 1) / blockSize * blockSize;

        // The samples themselves first (they are phase 0), for every channel: the larger
        // this is, the more quiet stretches interpolate() can skip.
        for (int c = 0; c < numChannels; ++c)
        {
            auto* const chunk = buffers.data() + static_cast<size_t> (c) * bufferStride + historyLength;
            const auto* const in = channels[c];
            copySanitised (in != nullptr ? in + start : nullptr, chunk, frames);
            // The last block reads past the chunk; zeros there are not measured, but
            // must not be NaN or denormal garbage either.
            std::fill (chunk + frames, chunk + paddedFrames, 0.0f);
            callPeak = std::max (callPeak, maxMagnitude (chunk, paddedFrames));
        }

        for (int c = 0; c < numChannels; ++c)
        {
            auto* const buffer = buffers.data() + static_cast<size_t> (c) * bufferStride;
            if (factor > 1)
                interpolate (buffer, frames, callPeak);
            // Keep the chunk's last samples as the next chunk's history.
            std::copy (buffer + frames, buffer + frames + historyLength, buffer);
        }
    }

    lastPeak = callPeak;
    peak = std::max (peak, callPeak);
}

// `samples` holds historyLength samples of history, then `numFrames` new ones and zeros up
// to a whole block. Raises `callPeak` to the largest interpolated magnitude that lies
// between the history and the last new sample.
void TruePeak::interpolate (const float* samples, int numFrames, float& callPeak) const noexcept
{
    const auto numPhases = factor - 1;
    for (int first = 0; first < numFrames; first += blockSize)
    {
        const auto* const x = samples + first;

        // Skip a block whose inputs are all so small that no phase can raise the peak
        // (see gainBound()). Skipped outputs are at most callPeak, so the max is unchanged.
        if (skipsQuietStretches)
        {
            float loudest = 0.0f;
            for (int i = 0; i < blockSize + historyLength; ++i)
                loudest = std::max (loudest, std::abs (x[i]));
            if (loudest * phaseGainBound <= callPeak)
                continue;
        }

        float blockPeak[blockSize] = {};
        for (int phase = 0; phase < numPhases; ++phase)
        {
            const auto* const taps = coefficients.data() + phase * tapsPerPhase;
            float sums[blockSize] = {};
            for (int i = 0; i < tapsPerPhase; ++i)
                for (int k = 0; k < blockSize; ++k)
                    sums[k] += taps[i] * x[k + i];
            for (int k = 0; k < blockSize; ++k)
                blockPeak[k] = std::max (blockPeak[k], std::abs (sums[k]));
        }

        // Past the chunk's end the sums mix in the padding zeros: not measured.
        const auto valid = std::min (blockSize, numFrames - first);
        for (int k = 0; k < valid; ++k)
            callPeak = std::max (callPeak, blockPeak[k]);
    }
}

} // namespace earshot
