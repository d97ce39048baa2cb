#include "Support/TestSignals.h"

#include <cmath>

namespace earshot::test
{

void fillSine (juce::AudioBuffer<float>& buffer, double sampleRate, double frequency, float amplitude,
               int64_t startSample)
{
    const auto omega = juce::MathConstants<double>::twoPi * frequency / sampleRate;
    for (int c = 0; c < buffer.getNumChannels(); ++c)
        for (int i = 0; i < buffer.getNumSamples(); ++i)
            buffer.setSample (
                c, i, amplitude * static_cast<float> (std::sin (omega * static_cast<double> (startSample + i))));
}

void fillNoise (juce::AudioBuffer<float>& buffer, float amplitude, int64_t seed)
{
    juce::Random random (seed);
    for (int c = 0; c < buffer.getNumChannels(); ++c)
        for (int i = 0; i < buffer.getNumSamples(); ++i)
            buffer.setSample (c, i, amplitude * (2.0f * random.nextFloat() - 1.0f));
}

float signature (uint32_t block, int channel, int index) noexcept
{
    // Exact in float: fits the 24-bit mantissa for blocks < 2048, channels < 8, index < 1024.
    return static_cast<float> ((block % 2048u) * 8192u + static_cast<uint32_t> (channel) * 1024u +
                               static_cast<uint32_t> (index % 1024));
}

double toDb (double gain) noexcept
{
    return 20.0 * std::log10 (gain);
}

} // namespace earshot::test
