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

juce::AudioBuffer<float> makeStereo (double sampleRate, double seconds,
                                     const std::function<double (int channel, int index)>& sample)
{
    juce::AudioBuffer<float> signal (2, static_cast<int> (std::lround (seconds * sampleRate)));
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < signal.getNumSamples(); ++i)
            signal.setSample (c, i, static_cast<float> (sample (c, i)));
    return signal;
}

juce::AudioBuffer<float> drums124 (double sampleRate, double seconds)
{
    constexpr double twoPi = juce::MathConstants<double>::twoPi;
    juce::Random random (5);
    const auto beat = static_cast<int> (sampleRate * 60.0 / 124.0);
    return makeStereo (
        sampleRate, seconds,
        [&, beat] (int c, int i)
        {
            const auto t = (i % beat) / sampleRate;
            const auto bar = (i / beat) % 4;
            const auto noise = 2.0 * random.nextDouble() - 1.0;
            const auto kick = bar % 2 == 0 ? 0.8 * std::sin (twoPi * 55.0 * t) * std::exp (-t * 15.0) : 0.0;
            const auto snare =
                bar % 2 == 1 ? (0.4 * noise + 0.3 * std::sin (twoPi * 180.0 * t)) * std::exp (-t * 30.0) : 0.0;
            const auto hat = 0.2 * noise * std::exp (-std::fmod (t, 0.121) * 200.0);
            return kick + snare + (c == 0 ? hat : 0.6 * hat);
        });
}

} // namespace earshot::test
