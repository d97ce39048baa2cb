#include "Features/Loudness.h"

#include "Features/LoudnessMeter.h"
#include "Features/TruePeak.h"

#include <cmath>
#include <limits>
#include <new>

namespace earshot
{

namespace
{
constexpr float noLevel = -std::numeric_limits<float>::infinity();

// LoudnessMeter never returns NaN; the check keeps that promise here whatever changes there.
float toLufs (double value) noexcept
{
    return std::isnan (value) ? noLevel : static_cast<float> (value);
}

float gainToDb (double gain) noexcept
{
    return gain > 0.0 && std::isfinite (gain) ? static_cast<float> (20.0 * std::log10 (gain)) : noLevel;
}
} // namespace

struct Loudness::State
{
    LoudnessMeter meter;
    TruePeak truePeak;
    bool usable = false;
};

Loudness::Loudness()
    : state (std::make_unique<State>())
{
}

Loudness::~Loudness() = default;

void Loudness::prepare (double sampleRate, int numChannels)
{
    auto& s = *state;
    s.usable = false;
    try
    {
        // The meter checks the rate and channel count (the limits this class documents).
        if (! s.meter.prepare (sampleRate, numChannels))
            return;
        s.truePeak.prepare (sampleRate, numChannels);
        s.usable = true;
    }
    catch (const std::bad_alloc&)
    {
        // As documented: a meter that ignores its input and reads -inf.
    }
}

void Loudness::process (const float* const* channels, int numSamples) noexcept
{
    auto& s = *state;
    if (! s.usable)
        return;
    // Both handle null pointers, empty calls and bad samples themselves.
    s.truePeak.process (channels, numSamples);
    s.meter.process (channels, numSamples);
}

float Loudness::momentaryLufs() const noexcept
{
    return state->usable ? toLufs (state->meter.momentaryLufs()) : noLevel;
}

float Loudness::shortTermLufs() const noexcept
{
    return state->usable ? toLufs (state->meter.shortTermLufs()) : noLevel;
}

float Loudness::integratedLufs() const noexcept
{
    return state->usable ? toLufs (state->meter.integratedLufs()) : noLevel;
}

float Loudness::loudnessRangeLu() const noexcept
{
    const auto range = state->usable ? state->meter.loudnessRangeLu() : 0.0;
    return std::isfinite (range) && range > 0.0 ? static_cast<float> (range) : 0.0f;
}

float Loudness::truePeakDbtp() const noexcept
{
    const auto& s = *state;
    return s.usable ? gainToDb (static_cast<double> (s.truePeak.peakGain())) : noLevel;
}

float Loudness::lastTruePeakGain() const noexcept
{
    const auto& s = *state;
    return s.usable ? s.truePeak.lastPeakGain() : 0.0f;
}

float Loudness::samplePeakDbfs() const noexcept
{
    const auto& s = *state;
    return s.usable ? gainToDb (static_cast<double> (s.truePeak.samplePeakGain())) : noLevel;
}

} // namespace earshot
