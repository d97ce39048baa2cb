#include "Features/LoudnessMeter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace earshot
{

namespace
{
constexpr double pi = 3.14159265358979323846;
constexpr double noLevel = -std::numeric_limits<double>::infinity();

// The limits libebur128 accepts, which Loudness has always promised.
constexpr double minSampleRate = 16.0;
constexpr double maxSampleRate = 2822400.0;
constexpr int maxChannels = 64;

// 30 whole sub-blocks for the short-term window, and the one being filled.
constexpr int ringSubBlocks = 31;
constexpr int momentarySubBlocks = 4;
constexpr int shortTermSubBlocks = 30;

constexpr double lowestBinLufs = -70.0;
constexpr double binsPerLu = 100.0;
constexpr int numBins = 8000; // -70 .. +10 LUFS

// Filter state below this is flushed at a sub-block boundary: far below anything
// audible (-2000 dB), yet its square stays a normal double, so decaying filters never
// reach slow denormal arithmetic. At a sub-block boundary, not a call boundary, so the
// results stay independent of how the stream is split.
constexpr double flushBelow = 1.0e-100;

// The bilinear transform needs tan (pi f0 / fs) finite and positive; below about 3.7 kHz
// the shelf's centre lies beyond Nyquist, and is put at 0.45 fs instead (a stable filter
// that still boosts the top octave).
constexpr double maxWarpedAngle = 0.45 * pi;

double lufsOf (double energy) noexcept
{
    return energy > 0.0 ? 10.0 * std::log10 (energy) - 0.691 : noLevel;
}

// The absolute gate, -70 LUFS, as an energy (libebur128's expression).
const double absoluteGateEnergy = std::pow (10.0, (lowestBinLufs + 0.691) / 10.0);
const double integratedGateFactor = std::pow (10.0, -10.0 / 10.0);
const double rangeGateFactor = std::pow (10.0, -20.0 / 10.0);

/** Bin of a block of `energy`: -1 below -70 LUFS, numBins or more above +10 LUFS. */
int binOf (double energy) noexcept
{
    const auto position = std::floor ((lufsOf (energy) - lowestBinLufs) * binsPerLu);
    if (! (position >= 0.0)) // also -inf and NaN
        return -1;
    return position < static_cast<double> (numBins) ? static_cast<int> (position) : numBins;
}

/** Weight of `channel` in a stream of `numChannels` (libebur128's default map); 0 if not measured. */
double weightOf (int channel, int numChannels) noexcept
{
    constexpr double surround = 1.41;
    if (numChannels == 1)
        return 2.0; // dual mono
    if (numChannels == 4)
        return channel < 2 ? 1.0 : surround;
    if (numChannels == 5)
        return channel < 3 ? 1.0 : surround;
    if (channel < 3)
        return 1.0;
    return channel == 4 || channel == 5 ? surround : 0.0; // 3 is the LFE
}

double warpedTan (double frequency, double sampleRate) noexcept
{
    return std::tan (std::min (pi * frequency / sampleRate, maxWarpedAngle));
}
} // namespace

LoudnessMeter::Biquad LoudnessMeter::preFilter (double sampleRate) noexcept
{
    // A second-order high shelf: +4 dB above about 1.7 kHz. The analogue prototype's
    // parameters reproduce BS.1770's 48 kHz coefficients (libebur128's fit).
    constexpr double f0 = 1681.974450955533;
    constexpr double gainDb = 3.999843853973347;
    constexpr double q = 0.7071752369554196;
    const auto k = warpedTan (f0, sampleRate);
    const auto vh = std::pow (10.0, gainDb / 20.0);
    const auto vb = std::pow (vh, 0.4996667741545416);
    const auto a0 = 1.0 + k / q + k * k;
    return { (vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0 };
}

LoudnessMeter::Biquad LoudnessMeter::rlbHighPass (double sampleRate) noexcept
{
    // A second-order high-pass at 38 Hz. BS.1770 gives its numerator as 1, -2, 1 at every
    // rate (not normalised to unit gain at Nyquist), and so does this.
    constexpr double f0 = 38.13547087602444;
    constexpr double q = 0.5003270373238773;
    const auto k = warpedTan (f0, sampleRate);
    const auto a0 = 1.0 + k / q + k * k;
    return { 1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0 };
}

void LoudnessMeter::BlockHistogram::clear() noexcept
{
    std::fill (counts.begin(), counts.end(), uint64_t { 0 });
    std::fill (energies.begin(), energies.end(), 0.0);
    totalCount = 0;
    totalEnergy = 0.0;
}

void LoudnessMeter::BlockHistogram::add (double energy) noexcept
{
    const auto bin = static_cast<size_t> (std::clamp (binOf (energy), 0, numBins - 1));
    ++counts[bin];
    energies[bin] += energy;
    ++totalCount;
    totalEnergy += energy;
}

int LoudnessMeter::BlockHistogram::firstBinPassing (double gateEnergy) const noexcept
{
    const auto bin = binOf (gateEnergy);
    if (bin < 0)
        return 0; // every block is louder than -70 LUFS: all pass
    const auto gateBin = static_cast<size_t> (std::min (bin, numBins - 1));
    // Blocks in bins above the gate's pass and blocks below fail, exactly. Those in the
    // gate's own bin are all within 0.01 LU of it and go together, by their mean.
    const auto passes = counts[gateBin] > 0 && energies[gateBin] / static_cast<double> (counts[gateBin]) >= gateEnergy;
    return static_cast<int> (gateBin) + (passes ? 0 : 1);
}

bool LoudnessMeter::prepare (double sampleRate, int numChannels)
{
    // Unusable until the end, so that a throw on the way leaves a meter that reads -inf.
    subBlockLength = 0;
    numInputChannels = 0;
    filters.clear();

    // NaN fails these comparisons too.
    if (! (sampleRate >= minSampleRate && sampleRate <= maxSampleRate) || numChannels < 1 || numChannels > maxChannels)
        return false;

    const auto length = static_cast<int> ((std::lround (sampleRate) + 5) / 10);
    for (int c = 0; c < numChannels; ++c)
        if (const auto weight = weightOf (c, numChannels); weight > 0.0)
        {
            ChannelFilter filter;
            filter.weight = weight;
            filter.channel = c;
            filters.push_back (filter);
        }

    sampleEnergies.assign (static_cast<size_t> (ringSubBlocks) * static_cast<size_t> (length), 0.0);
    subBlockSums.assign (ringSubBlocks, 0.0);
    silence.assign (static_cast<size_t> (length), 0.0f);
    for (auto* histogram : { &gatingBlocks, &shortTermBlocks })
    {
        histogram->counts.assign (numBins, 0);
        histogram->energies.assign (numBins, 0.0);
    }

    pre = preFilter (sampleRate);
    rlb = rlbHighPass (sampleRate);
    numInputChannels = numChannels;
    subBlockLength = length;
    reset();
    return true;
}

void LoudnessMeter::reset() noexcept
{
    for (auto& filter : filters)
        filter.x1 = filter.x2 = filter.u1 = filter.u2 = filter.v1 = filter.v2 = 0.0;
    std::fill (sampleEnergies.begin(), sampleEnergies.end(), 0.0);
    std::fill (subBlockSums.begin(), subBlockSums.end(), 0.0);
    gatingBlocks.clear();
    shortTermBlocks.clear();
    offsetInSubBlock = 0;
    currentSlot = 0;
    currentSum = 0.0;
    completedSubBlocks = 0;
}

template <bool isFirst, bool isLast>
double LoudnessMeter::filterChannel (ChannelFilter& filter, const Biquad& p, const Biquad& r, const float* input,
                                     double* energies, int numSamples, double sum) noexcept
{
    // State and coefficients in locals: the compiler cannot keep members in registers
    // across the stores to `energies`, which might alias them.
    const auto weight = filter.weight;
    const auto pb0 = p.b0, pb1 = p.b1, pb2 = p.b2, pa1 = p.a1, pa2 = p.a2;
    const auto rb0 = r.b0, rb1 = r.b1, rb2 = r.b2, ra1 = r.a1, ra2 = r.a2;
    auto x1 = filter.x1, x2 = filter.x2, u1 = filter.u1, u2 = filter.u2, v1 = filter.v1, v2 = filter.v2;
    for (int i = 0; i < numSamples; ++i)
    {
        const auto sample = input[i];
        // NaN fails the comparison too: non-finite samples are measured as silence.
        const auto x = std::abs (sample) <= std::numeric_limits<float>::max() ? static_cast<double> (sample) : 0.0;
        // The newest output's feedback term comes last: it alone is on the recursion's
        // critical path (one multiply and one add per sample and stage).
        const auto u = (pb0 * x + pb1 * x1 + pb2 * x2 - pa2 * u2) - pa1 * u1;
        const auto v = (rb0 * u + rb1 * u1 + rb2 * u2 - ra2 * v2) - ra1 * v1;
        auto energy = weight * (v * v);
        if constexpr (! isFirst)
            energy = energies[i] + energy;
        energies[i] = energy;
        if constexpr (isLast)
            sum += energy; // in sample order, so the same however the stream was split
        x2 = x1;
        x1 = x;
        u2 = u1;
        u1 = u;
        v2 = v1;
        v1 = v;
    }
    filter.x1 = x1;
    filter.x2 = x2;
    filter.u1 = u1;
    filter.u2 = u2;
    filter.v1 = v1;
    filter.v2 = v2;
    return sum;
}

void LoudnessMeter::process (const float* const* channels, int numSamples) noexcept
{
    if (subBlockLength == 0 || channels == nullptr || numSamples <= 0)
        return;

    const auto lastFilter = filters.size() - 1;
    for (int done = 0; done < numSamples;)
    {
        // Never past the end of the current sub-block.
        const auto length = std::min (numSamples - done, subBlockLength - offsetInSubBlock);
        auto* const energies = sampleEnergies.data() +
                               static_cast<size_t> (currentSlot) * static_cast<size_t> (subBlockLength) +
                               static_cast<size_t> (offsetInSubBlock);
        auto sum = currentSum;
        for (size_t f = 0; f <= lastFilter; ++f)
        {
            auto& filter = filters[f];
            const auto* const channel = channels[filter.channel];
            const auto* const input = channel != nullptr ? channel + done : silence.data();
            if (lastFilter == 0)
                sum = filterChannel<true, true> (filter, pre, rlb, input, energies, length, sum);
            else if (f == 0)
                filterChannel<true, false> (filter, pre, rlb, input, energies, length, sum);
            else if (f == lastFilter)
                sum = filterChannel<false, true> (filter, pre, rlb, input, energies, length, sum);
            else
                filterChannel<false, false> (filter, pre, rlb, input, energies, length, sum);
        }
        currentSum = sum;
        offsetInSubBlock += length;
        done += length;
        if (offsetInSubBlock == subBlockLength)
            finishSubBlock();
    }
}

void LoudnessMeter::finishSubBlock() noexcept
{
    subBlockSums[static_cast<size_t> (currentSlot)] = currentSum;
    ++completedSubBlocks;
    offsetInSubBlock = 0;
    currentSum = 0.0;
    currentSlot = static_cast<int> (completedSubBlocks % ringSubBlocks);

    // At a boundary the windows hold whole sub-blocks: a gating block ends here every
    // 100 ms, and so does a short-term block for the loudness range.
    if (completedSubBlocks >= momentarySubBlocks)
        if (const auto energy = windowEnergy (momentarySubBlocks); energy >= absoluteGateEnergy)
            gatingBlocks.add (energy);
    if (completedSubBlocks >= shortTermSubBlocks)
        if (const auto energy = windowEnergy (shortTermSubBlocks); energy >= absoluteGateEnergy)
            shortTermBlocks.add (energy);

    for (auto& filter : filters)
    {
        const auto largest = std::max ({ std::abs (filter.x1), std::abs (filter.x2), std::abs (filter.u1),
                                         std::abs (filter.u2), std::abs (filter.v1), std::abs (filter.v2) });
        if (largest < flushBelow)
            filter.x1 = filter.x2 = filter.u1 = filter.u2 = filter.v1 = filter.v2 = 0.0;
    }
}

double LoudnessMeter::windowEnergy (int numSubBlocks) const noexcept
{
    // The window covers the last numSubBlocks x subBlockLength samples: the tail of the
    // sub-block `numSubBlocks` back (all of it at a boundary), the whole ones after it,
    // and the current one so far. Summed afresh, oldest first, every time.
    const auto slotOf = [] (int64_t subBlock) { return static_cast<size_t> (subBlock % ringSubBlocks); };
    const auto oldest = completedSubBlocks - numSubBlocks;
    auto sum = 0.0;
    if (offsetInSubBlock == 0)
    {
        sum = subBlockSums[slotOf (oldest)];
    }
    else
    {
        const auto* const tail = sampleEnergies.data() + slotOf (oldest) * static_cast<size_t> (subBlockLength);
        for (int i = offsetInSubBlock; i < subBlockLength; ++i)
            sum += tail[i];
    }
    for (auto subBlock = oldest + 1; subBlock < completedSubBlocks; ++subBlock)
        sum += subBlockSums[slotOf (subBlock)];
    if (offsetInSubBlock > 0)
        sum += currentSum;
    return sum / (static_cast<double> (numSubBlocks) * static_cast<double> (subBlockLength));
}

double LoudnessMeter::momentaryLufs() const noexcept
{
    return subBlockLength > 0 && completedSubBlocks >= momentarySubBlocks ? lufsOf (windowEnergy (momentarySubBlocks))
                                                                          : noLevel;
}

double LoudnessMeter::shortTermLufs() const noexcept
{
    return subBlockLength > 0 && completedSubBlocks >= shortTermSubBlocks ? lufsOf (windowEnergy (shortTermSubBlocks))
                                                                          : noLevel;
}

double LoudnessMeter::integratedLufs() const noexcept
{
    const auto& blocks = gatingBlocks;
    if (subBlockLength == 0 || blocks.totalCount == 0)
        return noLevel;

    const auto gate = blocks.totalEnergy / static_cast<double> (blocks.totalCount) * integratedGateFactor;
    uint64_t count = 0;
    auto energy = 0.0;
    for (auto bin = static_cast<size_t> (blocks.firstBinPassing (gate)); bin < static_cast<size_t> (numBins); ++bin)
    {
        count += blocks.counts[bin];
        energy += blocks.energies[bin];
    }
    return count > 0 ? lufsOf (energy / static_cast<double> (count)) : noLevel;
}

double LoudnessMeter::loudnessRangeLu() const noexcept
{
    const auto& blocks = shortTermBlocks;
    if (subBlockLength == 0 || blocks.totalCount == 0)
        return 0.0;

    const auto gate = blocks.totalEnergy / static_cast<double> (blocks.totalCount) * rangeGateFactor;
    const auto first = static_cast<size_t> (blocks.firstBinPassing (gate));
    uint64_t count = 0;
    for (auto bin = first; bin < static_cast<size_t> (numBins); ++bin)
        count += blocks.counts[bin];
    if (count == 0)
        return 0.0;

    // Nearest rank, as libebur128: the blocks at index round ((n - 1) p) of the sorted list.
    const auto lowRank = static_cast<uint64_t> (static_cast<double> (count - 1) * 0.1 + 0.5);
    const auto highRank = static_cast<uint64_t> (static_cast<double> (count - 1) * 0.95 + 0.5);
    const auto meanOf = [&] (size_t bin) { return blocks.energies[bin] / static_cast<double> (blocks.counts[bin]); };
    auto low = 0.0, high = 0.0;
    uint64_t seen = 0;
    for (auto bin = first; bin < static_cast<size_t> (numBins); ++bin)
    {
        if (blocks.counts[bin] == 0)
            continue;
        if (seen <= lowRank && seen + blocks.counts[bin] > lowRank)
            low = meanOf (bin);
        seen += blocks.counts[bin];
        if (seen > highRank)
        {
            high = meanOf (bin);
            break;
        }
    }
    return std::max (0.0, lufsOf (high) - lufsOf (low));
}

} // namespace earshot
