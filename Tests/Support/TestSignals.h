#pragma once

#include <juce_audio_basics/juce_audio_basics.h>

#include <cstdint>
#include <functional>

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

/** Two channels of `seconds` at `sampleRate`, sample (channel, index) for each,
    channel 0 first. */
juce::AudioBuffer<float> makeStereo (double sampleRate, double seconds,
                                     const std::function<double (int channel, int index)>& sample);

/** Stereo drums at 124 BPM: a kick (decaying 55 Hz) and a snare (noise and 180 Hz) on
    alternate beats, a short noise hat every 121 ms, 0.6x on the right; loud attacks,
    long decays. The same samples on every call (fixed seed). */
juce::AudioBuffer<float> drums124 (double sampleRate, double seconds);

/** Decibels of a linear gain. */
double toDb (double gain) noexcept;

} // namespace earshot::test
