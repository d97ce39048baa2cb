#include "Features/TruePeak.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace earshot
{

namespace
{
constexpr int minTapsPerPhase = 12;
constexpr int maxTapsPerPhase = 24;
constexpr double minOversampledRate = 176400.0;
constexpr int maxFactor = 16;
constexpr double pi = 3.14159265358979323846;

// Outputs are computed this many at a time: per tap, one loop over the block with a
// fixed trip count, which compilers vectorise at -O2 and -O3 (with 16, GCC -O3 unrolls
// the block and vectorises across taps instead, 3x slower). Every output is then the
// same sequence of float operations wherever it falls in a call, which keeps results
// bit-identical however the stream is split.
constexpr int blockSize = 64;

// process() works through its input in chunks of this many frames per channel (a
// multiple of blockSize), through buffers sized in prepare().
constexpr int chunkFrames = 1024;
constexpr size_t bufferStride = maxTapsPerPhase - 1 + chunkFrames;
constexpr int blocksPerChunk = chunkFrames / blockSize;

constexpr float silenceBelow = 1.0e-30f;
constexpr float overflowAbove = 1.0e30f;

int oversamplingFactorFor (double sampleRate) noexcept
{
    int factor = 1;
    while (factor < maxFactor && sampleRate * factor < minOversampledRate)
        factor *= 2;
    return factor;
}

// A 48-tap prototype as BS.1770's, but never fewer than 12 taps per phase.
int tapsPerPhaseFor (int factor) noexcept
{
    return std::clamp (48 / factor, minTapsPerPhase, maxTapsPerPhase);
}

// The interpolator's phases, in the folded form interpolate() computes. Phase p reads
// sum over j of g[j] x[n - T + 1 + j] (T taps per phase). The prototype is symmetric, so
// phase factor - p has the taps of phase p reversed; with the sums a[j] = x_j + x_(T-1-j)
// and differences d[j] = x_j - x_(T-1-j) of the window's mirrored pairs, j < T / 2,
//     u = sum even[j] a[j],  v = sum odd[j] d[j],  even/odd = (g[j] +- g[T-1-j]) / 2,
// phase p reads u + v, phase factor - p reads u - v, and the larger magnitude of the
// two is |u| + |v|: half the multiplies of computing each phase. Stored for phases
// 1 .. factor/2: T/2 even parts, then T/2 odd parts (unused for the middle phase,
// which mirrors itself). Each phase is scaled to unit gain at DC.
std::vector<float> designPhases (int factor, int tapsPerPhase)
{
    const auto length = factor * tapsPerPhase + 1;
    const auto centre = 0.5 * (length - 1);
    const auto taps = static_cast<size_t> (tapsPerPhase);
    std::vector<float> phases;
    std::vector<double> g (taps);
    for (int phase = 1; phase <= factor / 2; ++phase)
    {
        double sum = 0.0;
        for (size_t i = 0; i < taps; ++i)
        {
            // Prototype tap `phase + factor * i` weighs x[n - i].
            const auto j = phase + factor * static_cast<int> (i);
            const auto m = (j - centre) / factor;
            const auto sinc = std::sin (pi * m) / (pi * m);                         // m is never 0 off phase 0
            const auto window = 0.5 - 0.5 * std::cos (2.0 * pi * j / (length - 1)); // Hann
            g[taps - 1 - i] = sinc * window;
            sum += sinc * window;
        }
        for (size_t j = 0; j < taps / 2; ++j)
            phases.push_back (static_cast<float> ((g[j] + g[taps - 1 - j]) / (2.0 * sum)));
        for (size_t j = 0; j < taps / 2; ++j)
            phases.push_back (static_cast<float> ((g[j] - g[taps - 1 - j]) / (2.0 * sum)));
    }
    return phases;
}

// A bound B with |computed output| <= B * max |input| for every phase. In exact
// arithmetic |u| + |v| is at most the input's largest magnitude times the sum of
// |even +- odd| over all taps of the phase. Float rounding of the pair sums, products
// and sums (at most 15 in a row) adds less than 15 * 2^-24 * 4 relative (< 4e-6),
// covered with room by the 1e-5 margin, which also covers rounding the bound itself
// and its product with the input.
float gainBound (const std::vector<float>& phases, int factor, int tapsPerPhase)
{
    const auto half = static_cast<size_t> (tapsPerPhase / 2);
    double largest = 0.0;
    for (size_t phase = 1; phase <= static_cast<size_t> (factor / 2); ++phase)
    {
        const auto* const even = phases.data() + (phase - 1) * 2 * half;
        const auto* const odd = even + half;
        const auto mirrored = 2 * phase < static_cast<size_t> (factor);
        double sum = 0.0;
        for (size_t j = 0; j < half; ++j)
        {
            const auto o = mirrored ? static_cast<double> (odd[j]) : 0.0;
            sum += std::abs (static_cast<double> (even[j]) + o) + std::abs (static_cast<double> (even[j]) - o);
        }
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
    blockPeaks.clear();
    factor = tapsPerPhase = 0;
    numChannels = 0;
    phaseGainBound = 0.0f;
    lastPeak = peak = samplePeak = 0.0f;

    // NaN fails this comparison too.
    if (! (sampleRate > 0.0 && std::isfinite (sampleRate)) || newNumChannels < 1)
        return;

    factor = oversamplingFactorFor (sampleRate);
    tapsPerPhase = tapsPerPhaseFor (factor);
    numChannels = newNumChannels;
    coefficients = designPhases (factor, tapsPerPhase);
    phaseGainBound = gainBound (coefficients, factor, tapsPerPhase);
    buffers.assign (static_cast<size_t> (numChannels) * bufferStride, 0.0f);
    blockPeaks.assign (static_cast<size_t> (numChannels * blocksPerChunk), 0.0f);
}

void TruePeak::reset() noexcept
{
    std::fill (buffers.begin(), buffers.end(), 0.0f);
    lastPeak = peak = samplePeak = 0.0f;
}

void TruePeak::process (const float* const* channels, int numSamples) noexcept
{
    lastPeak = 0.0f;
    if (numChannels == 0 || channels == nullptr || numSamples <= 0)
        return;

    const auto historyLength = tapsPerPhase - 1;
    float callSamplePeak = 0.0f;
    float callPeak = 0.0f;
    for (int start = 0; start < numSamples; start += chunkFrames)
    {
        const auto frames = std::min (chunkFrames, numSamples - start);
        const auto paddedFrames = (frames + blockSize - 1) / blockSize * blockSize;

        // The samples themselves first (they are phase 0), for every channel: the larger
        // this is, the more quiet blocks interpolate() can skip.
        for (int c = 0; c < numChannels; ++c)
        {
            auto* const chunk = buffers.data() + static_cast<size_t> (c) * bufferStride + historyLength;
            const auto* const in = channels[c];
            copySanitised (in != nullptr ? in + start : nullptr, chunk, frames);
            // The last block reads past the chunk; zeros there are not measured, but
            // must not be NaN or denormal garbage either.
            std::fill (chunk + frames, chunk + paddedFrames, 0.0f);
            for (int block = 0; block < paddedFrames / blockSize; ++block)
            {
                const auto loudest = maxMagnitude (chunk + block * blockSize, blockSize);
                blockPeaks[static_cast<size_t> (c * blocksPerChunk + block)] = loudest;
                callSamplePeak = std::max (callSamplePeak, loudest);
            }
        }
        callPeak = std::max (callPeak, callSamplePeak);

        for (int c = 0; c < numChannels; ++c)
        {
            auto* const buffer = buffers.data() + static_cast<size_t> (c) * bufferStride;
            if (factor > 1)
                interpolate (buffer, frames, blockPeaks.data() + c * blocksPerChunk, callPeak);
            // Keep the chunk's last samples as the next chunk's history.
            std::copy (buffer + frames, buffer + frames + historyLength, buffer);
        }
    }

    lastPeak = callPeak;
    peak = std::max (peak, callPeak);
    samplePeak = std::max (samplePeak, callSamplePeak);
}

// `samples` holds tapsPerPhase - 1 samples of history, then `numFrames` new ones and zeros up
// to a whole block; `newPeaks` has the largest magnitude of each block of new samples.
// Raises `callPeak` to the largest interpolated magnitude that lies between the history
// and the last new sample.
void TruePeak::interpolate (const float* samples, int numFrames, const float* newPeaks, float& callPeak) const noexcept
{
    const auto historyLength = tapsPerPhase - 1;
    const auto half = tapsPerPhase / 2;
    float pairSums[maxTapsPerPhase / 2][blockSize];
    float pairDifferences[maxTapsPerPhase / 2][blockSize];
    // The inputs of a block are its own new samples and the ones just before; those lie
    // in the block before (or the history), whose largest magnitude stands in for theirs.
    float before = 0.0f;
    for (int i = 0; i < historyLength; ++i)
        before = std::max (before, std::abs (samples[i]));

    float lanes[blockSize] = {};
    for (int first = 0; first < numFrames; first += blockSize)
    {
        const auto* const x = samples + first;

        // Skip a block whose inputs are all so small that no phase can raise the peak
        // (see gainBound()): its outputs are at most callPeak, so the max is unchanged.
        if (skipsQuietStretches)
        {
            const auto own = newPeaks[first / blockSize];
            const auto loudest = std::max (own, before);
            before = own;
            if (loudest * phaseGainBound <= callPeak)
                continue;
        }

        // The window's mirrored pairs (see designPhases()), shared by all phases.
        for (int j = 0; j < half; ++j)
        {
            const auto* const low = x + j;
            const auto* const high = x + tapsPerPhase - 1 - j;
            for (int k = 0; k < blockSize; ++k)
                pairSums[j][k] = low[k] + high[k];
            if (factor > 2)
                for (int k = 0; k < blockSize; ++k)
                    pairDifferences[j][k] = low[k] - high[k];
        }

        // Past the chunk's end the outputs mix in the padding zeros: they are not
        // measured, so their pairs are zeroed (and so are u and v).
        if (const auto valid = numFrames - first; valid < blockSize)
            for (int j = 0; j < half; ++j)
            {
                std::fill (pairSums[j] + valid, pairSums[j] + blockSize, 0.0f);
                std::fill (pairDifferences[j] + valid, pairDifferences[j] + blockSize, 0.0f);
            }

        for (int phase = 1; phase <= factor / 2; ++phase)
        {
            const auto* const even = coefficients.data() + (phase - 1) * tapsPerPhase;
            const auto* const odd = even + half;
            float u[blockSize] = {}, v[blockSize] = {};
            for (int j = 0; j < half; ++j)
                for (int k = 0; k < blockSize; ++k)
                    u[k] += even[j] * pairSums[j][k];
            if (2 * phase < factor) // the middle phase mirrors itself: v stays 0
                for (int j = 0; j < half; ++j)
                    for (int k = 0; k < blockSize; ++k)
                        v[k] += odd[j] * pairDifferences[j][k];
            for (int k = 0; k < blockSize; ++k)
                lanes[k] = std::max (lanes[k], std::abs (u[k]) + std::abs (v[k]));
        }
    }
    callPeak = std::max (callPeak, *std::max_element (lanes, lanes + blockSize));
}

} // namespace earshot
