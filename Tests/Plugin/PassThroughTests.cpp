#include "EarshotProcessor.h"
#include "Parameters.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace earshot;

namespace
{
bool identical (const juce::AudioBuffer<float>& a, const juce::AudioBuffer<float>& b)
{
    if (a.getNumChannels() != b.getNumChannels() || a.getNumSamples() != b.getNumSamples())
        return false;
    for (int c = 0; c < a.getNumChannels(); ++c)
        if (std::memcmp (a.getReadPointer (c), b.getReadPointer (c),
                         sizeof (float) * static_cast<size_t> (a.getNumSamples())) != 0)
            return false;
    return true;
}

void setParameter (EarshotProcessor& processor, const char* id, float plainValue)
{
    auto* parameter = processor.getParameters().getParameter (id);
    parameter->setValueNotifyingHost (parameter->convertTo0to1 (plainValue));
}
} // namespace

TEST_CASE ("At default settings the audio passes through bit-exact", "[plugin][passthrough]")
{
    const auto layout = GENERATE (juce::AudioChannelSet::mono(), juce::AudioChannelSet::stereo());
    const auto channels = layout.size();
    CAPTURE (channels);

    EarshotProcessor processor;
    juce::AudioProcessor::BusesLayout buses;
    buses.inputBuses.add (layout);
    buses.outputBuses.add (layout);
    REQUIRE (processor.setBusesLayout (buses));
    processor.prepareToPlay (48000.0, 256);

    CHECK (processor.getLatencySamples() == 0);
    CHECK (processor.getTailLengthSeconds() == 0.0);

    juce::MidiBuffer midi;
    for (int b = 0; b < 50; ++b)
    {
        juce::AudioBuffer<float> buffer (channels, 256);
        test::fillNoise (buffer, 1.5f, b); // beyond full scale on purpose
        buffer.setSample (0, 0, std::numeric_limits<float>::denorm_min());
        const auto original = buffer;
        processor.processBlock (buffer, midi);
        REQUIRE (identical (buffer, original));
    }
}

TEST_CASE ("Input trim applies its gain once the ramp has settled, and bypass leaves audio untouched",
           "[plugin][passthrough]")
{
    EarshotProcessor processor;
    processor.prepareToPlay (48000.0, 480);
    juce::MidiBuffer midi;

    setParameter (processor, parameters::inputTrimId, 6.0f);
    juce::AudioBuffer<float> buffer (2, 480);
    for (int b = 0; b < 10; ++b) // the 20 ms ramp ends within the first two blocks
    {
        test::fillSine (buffer, 48000.0, 1000.0, 0.25f, b * 480);
        processor.processBlock (buffer, midi);
    }
    juce::AudioBuffer<float> expected (2, 480);
    test::fillSine (expected, 48000.0, 1000.0, 0.25f, 9 * 480);
    const auto gain = juce::Decibels::decibelsToGain (6.0f);
    for (int i = 0; i < 480; i += 37)
        CHECK (buffer.getSample (1, i) == Approx (expected.getSample (1, i) * gain).margin (1e-6));

    setParameter (processor, parameters::bypassId, 1.0f);
    test::fillNoise (buffer, 0.8f, 99);
    const auto original = buffer;
    processor.processBlock (buffer, midi);
    CHECK (identical (buffer, original));
}

TEST_CASE ("Only matching mono or stereo layouts are accepted", "[plugin][layout]")
{
    EarshotProcessor processor;
    auto layoutOf = [] (juce::AudioChannelSet in, juce::AudioChannelSet out)
    {
        juce::AudioProcessor::BusesLayout buses;
        buses.inputBuses.add (in);
        buses.outputBuses.add (out);
        return buses;
    };
    CHECK (
        processor.checkBusesLayoutSupported (layoutOf (juce::AudioChannelSet::mono(), juce::AudioChannelSet::mono())));
    CHECK (processor.checkBusesLayoutSupported (
        layoutOf (juce::AudioChannelSet::stereo(), juce::AudioChannelSet::stereo())));
    CHECK_FALSE (processor.checkBusesLayoutSupported (
        layoutOf (juce::AudioChannelSet::mono(), juce::AudioChannelSet::stereo())));
    CHECK_FALSE (processor.checkBusesLayoutSupported (
        layoutOf (juce::AudioChannelSet::create5point1(), juce::AudioChannelSet::create5point1())));
}

TEST_CASE ("The plugin's analysis sees what it passes on", "[plugin][analysis]")
{
    EarshotProcessor processor;
    processor.prepareToPlay (48000.0, 480);
    juce::MidiBuffer midi;
    juce::AudioBuffer<float> buffer (2, 480);
    for (int b = 0; b < 100; ++b)
    {
        test::fillSine (buffer, 48000.0, 1000.0, 0.5f, b * 480);
        processor.processBlock (buffer, midi);
    }
    REQUIRE (processor.getEngine().waitUntilIdle());
    const auto& snapshot = processor.getEngine().readSnapshot();
    CHECK (snapshot.health.blocksAnalysed == 100);
    CHECK (snapshot.levels[0].overallPeakDb == Approx (test::toDb (0.5)).margin (0.01));
}
