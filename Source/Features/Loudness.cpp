#include "Features/Loudness.h"

#include "Features/TruePeak.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <vector>

namespace earshot
{

namespace
{
constexpr float noLevel = -std::numeric_limits<float>::infinity();

// The limits ebur128_init() accepts; checked here too so that a bad value never
// reaches the unsigned conversions below.
constexpr double minSampleRate = 16.0;
constexpr double maxSampleRate = 2822400.0;
constexpr int maxChannels = 64;

// HISTOGRAM keeps the gating-block and short-term-block stores at a fixed size.
// Without it libebur128 mallocs a list entry every 100 ms inside add_frames, and
// process() must not allocate.
// No EBUR128_MODE_TRUE_PEAK: libebur128's interpolator (scalar, double, through a
// ring buffer) cost six times the rest of the meter; TruePeak measures the same to
// within 0.1 dB several times faster (Tests/Benchmarks/LoudnessBenchmark.cpp).
constexpr int meterMode = EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA |
                          EBUR128_MODE_SAMPLE_PEAK | EBUR128_MODE_HISTOGRAM;

// libebur128 wants interleaved frames; process() converts in pieces of this many
// frames through a buffer sized in prepare(). Any size gives the same results,
// because libebur128 itself is independent of how its input is split.
constexpr int chunkFrames = 1024;

struct MeterDeleter
{
    void operator() (ebur128_state* meter) const noexcept { ebur128_destroy (&meter); }
};
using Meter = std::unique_ptr<ebur128_state, MeterDeleter>;

// ebur128_init() rewrites library-wide lookup tables (with the same values every
// time). Serialising init keeps instances prepared on different threads from
// writing them at the same moment.
std::mutex& initMutex()
{
    static std::mutex mutex;
    return mutex;
}

// libebur128 reports "no level" as -HUGE_VAL; NaN cannot arise from sanitised
// input, but must never escape if it did.
float toLufs (double value) noexcept
{
    if (std::isnan (value) || value <= -std::numeric_limits<double>::max())
        return noLevel;
    return static_cast<float> (value);
}

float gainToDb (double gain) noexcept
{
    return gain > 0.0 && std::isfinite (gain) ? static_cast<float> (20.0 * std::log10 (gain)) : noLevel;
}
} // namespace

struct Loudness::State
{
    Meter meter;
    TruePeak truePeak;
    size_t numChannels = 0;
    int64_t framesPer100ms = 0; // libebur128's own rounding of the sample rate
    int64_t framesSeen = 0;
    std::vector<float> interleaved;
    bool failed = false; // libebur128 reported an error mid-stream: its state is not trusted

    bool isUsable() const noexcept { return meter != nullptr && ! failed; }

    // One of libebur128's loudness getters; -inf until `windowIn100ms` of audio has been seen.
    template <typename Getter>
    float loudness (Getter getter, int64_t windowIn100ms) const noexcept
    {
        double lufs = 0.0;
        if (! isUsable() || framesSeen < windowIn100ms * framesPer100ms ||
            getter (meter.get(), &lufs) != EBUR128_SUCCESS)
            return noLevel;
        return toLufs (lufs);
    }

    // Max over channels of one of libebur128's per-channel peak getters.
    template <typename Getter>
    double maxOverChannels (Getter getter) const noexcept
    {
        double highest = 0.0;
        for (size_t c = 0; c < numChannels; ++c)
        {
            double peak = 0.0;
            if (getter (meter.get(), static_cast<unsigned int> (c), &peak) == EBUR128_SUCCESS && std::isfinite (peak))
                highest = std::max (highest, peak);
        }
        return highest;
    }
};

Loudness::Loudness()
    : state (std::make_unique<State>())
{
}

Loudness::~Loudness() = default;

void Loudness::prepare (double sampleRate, int numChannels)
{
    auto& s = *state;
    s.meter.reset();
    s.numChannels = 0;
    s.framesPer100ms = 0;
    s.framesSeen = 0;
    s.failed = false;

    // NaN fails these comparisons too.
    if (! (sampleRate >= minSampleRate && sampleRate <= maxSampleRate) || numChannels < 1 || numChannels > maxChannels)
        return;

    const auto rate = static_cast<unsigned long> (std::lround (sampleRate));
    const auto channels = static_cast<size_t> (numChannels);
    s.interleaved.assign (static_cast<size_t> (chunkFrames) * channels, 0.0f);

    Meter meter;
    {
        const std::scoped_lock lock (initMutex());
        meter.reset (ebur128_init (static_cast<unsigned int> (numChannels), rate, meterMode));
    }
    if (meter == nullptr)
        return;

    // Dual mono: the one channel is counted twice, as BS.1770 asks for a mono
    // programme heard on two loudspeakers.
    if (numChannels == 1 && ebur128_set_channel (meter.get(), 0, EBUR128_DUAL_MONO) != EBUR128_SUCCESS)
        return;

    s.truePeak.prepare (sampleRate, numChannels);
    s.numChannels = channels;
    s.framesPer100ms = static_cast<int64_t> ((rate + 5) / 10);
    s.meter = std::move (meter);
}

void Loudness::process (const float* const* channels, int numSamples) noexcept
{
    auto& s = *state;
    if (! s.isUsable())
        return;

    // It handles null pointers, empty calls and bad samples itself.
    s.truePeak.process (channels, numSamples);
    if (channels == nullptr || numSamples <= 0)
        return;

    for (int start = 0; start < numSamples; start += chunkFrames)
    {
        const auto frames = std::min (chunkFrames, numSamples - start);
        auto* const out = s.interleaved.data();
        for (size_t c = 0; c < s.numChannels; ++c)
        {
            const auto* const in = channels[c];
            for (int i = 0; i < frames; ++i)
            {
                const auto x = in != nullptr ? in[start + i] : 0.0f;
                out[static_cast<size_t> (i) * s.numChannels + c] = std::isfinite (x) ? x : 0.0f;
            }
        }

        if (ebur128_add_frames_float (s.meter.get(), out, static_cast<size_t> (frames)) != EBUR128_SUCCESS)
        {
            s.failed = true;
            return;
        }
        s.framesSeen += frames;
    }
}

float Loudness::momentaryLufs() const noexcept
{
    return state->loudness (ebur128_loudness_momentary, 4);
}

float Loudness::shortTermLufs() const noexcept
{
    return state->loudness (ebur128_loudness_shortterm, 30);
}

float Loudness::integratedLufs() const noexcept
{
    return state->loudness (ebur128_loudness_global, 0);
}

float Loudness::loudnessRangeLu() const noexcept
{
    const auto& s = *state;
    double range = 0.0;
    if (! s.isUsable() || ebur128_loudness_range (s.meter.get(), &range) != EBUR128_SUCCESS || ! std::isfinite (range))
        return 0.0f;
    return static_cast<float> (std::max (0.0, range));
}

float Loudness::truePeakDbtp() const noexcept
{
    const auto& s = *state;
    return s.isUsable() ? gainToDb (s.truePeak.peakGain()) : noLevel;
}

float Loudness::lastTruePeakGain() const noexcept
{
    const auto& s = *state;
    return s.isUsable() ? s.truePeak.lastPeakGain() : 0.0f;
}

float Loudness::samplePeakDbfs() const noexcept
{
    const auto& s = *state;
    return s.isUsable() ? gainToDb (s.maxOverChannels (ebur128_sample_peak)) : noLevel;
}

} // namespace earshot
