#pragma once

#include <juce_audio_basics/juce_audio_basics.h>

#include <cstdint>

namespace earshot::test
{

/** Fills every channel of `buffer` with a sine of `frequency` Hz and peak `amplitude`,
    starting at sample `startSample` of an endless sine (so consecutive blocks join up). */
void fillSine (juce::AudioBuffer<float>& buffer, double sampleRate, double frequency, float amplitude,
               int64_t startSample = 0);

/** Fills `buffer` with uniform white noise in [-amplitude, amplitude) from a fixed seed. */
void fillNoise (juce::AudioBuffer<float>& buffer, float amplitude, int64_t seed);

/** A sample value that identifies block `block`, channel `channel`, sample `index`:
    lets a consumer check that a block arrived whole and in order. */
float signature (uint32_t block, int channel, int index) noexcept;

/** Decibels of a linear gain. */
double toDb (double gain) noexcept;

} // namespace earshot::test
