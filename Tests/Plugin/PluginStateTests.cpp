#include "EarshotProcessor.h"
#include "Parameters.h"
#include "PluginState.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

using namespace earshot;

namespace
{
juce::MemoryBlock stateOf (EarshotProcessor& processor)
{
    juce::MemoryBlock block;
    processor.getStateInformation (block);
    return block;
}

float plainValue (EarshotProcessor& processor, const char* id)
{
    return processor.getParameters().getRawParameterValue (id)->load();
}
} // namespace

TEST_CASE ("Plugin state round-trips byte-identically", "[plugin][state]")
{
    juce::Random random (GENERATE (1, 2, 3, 4, 5));

    EarshotProcessor source;
    source.getParameters().getParameter (parameters::inputTrimId)->setValueNotifyingHost (random.nextFloat());
    source.getParameters().getParameter (parameters::bypassId)->setValueNotifyingHost (random.nextBool() ? 1.0f : 0.0f);
    source.setEditorSize ({ 0, 0, 400 + random.nextInt (400), 300 + random.nextInt (300) });
    const auto saved = stateOf (source);

    EarshotProcessor restored; // restored before prepareToPlay, as hosts do when loading a session
    restored.setStateInformation (saved.getData(), static_cast<int> (saved.getSize()));
    CHECK (restored.getLastStateError().isEmpty());
    CHECK (plainValue (restored, parameters::inputTrimId) == plainValue (source, parameters::inputTrimId));
    CHECK (plainValue (restored, parameters::bypassId) == plainValue (source, parameters::bypassId));
    CHECK (restored.getEditorSize() == source.getEditorSize());
    CHECK (stateOf (restored) == saved);
}

TEST_CASE ("Damaged, truncated or foreign state is rejected with a reason and the plugin keeps working",
           "[plugin][state][badinput]")
{
    EarshotProcessor reference;
    const auto good = stateOf (reference);

    struct Case
    {
        const char* name;
        juce::MemoryBlock data;
        const char* error;
    };

    auto flipped = good;
    static_cast<char*> (flipped.getData())[good.getSize() - 3] ^= 0x5a;
    auto newer = good;
    static_cast<uint8_t*> (newer.getData())[4] = 99;
    juce::MemoryBlock foreign ("<?xml version=\"1.0\"?><VST3PluginState/>", 38);
    juce::MemoryBlock truncated (good.getData(), good.getSize() - 10);
    juce::MemoryBlock header (good.getData(), 10);

    const Case cases[] = {
        { "empty", {}, "state is too short to be Earshot's (0 bytes)" },
        { "ten bytes", header, "state is too short to be Earshot's (10 bytes)" },
        { "foreign", foreign, "state is not Earshot's (wrong magic)" },
        { "newer version", newer, "state has format version 99; this Earshot reads up to 1" },
        { "truncated", truncated, nullptr },
        { "bit flip", flipped, "state is damaged (checksum mismatch)" },
    };

    for (const auto& testCase : cases)
    {
        CAPTURE (testCase.name);
        EarshotProcessor processor;
        processor.getParameters().getParameter (parameters::inputTrimId)->setValueNotifyingHost (0.25f);
        const auto before = stateOf (processor);

        processor.setStateInformation (testCase.data.getData(), static_cast<int> (testCase.data.getSize()));

        if (testCase.error != nullptr)
            CHECK (processor.getLastStateError() == testCase.error);
        else
            CHECK (processor.getLastStateError().startsWith ("state is truncated or padded"));
        CHECK (stateOf (processor) == before);

        // Still processes audio.
        processor.prepareToPlay (44100.0, 64);
        juce::AudioBuffer<float> buffer (2, 64);
        test::fillSine (buffer, 44100.0, 440.0, 0.1f);
        juce::MidiBuffer midi;
        processor.processBlock (buffer, midi);
        CHECK (std::isfinite (buffer.getSample (0, 63)));
    }
}

TEST_CASE ("Random bytes never restore, and never crash", "[plugin][state][badinput]")
{
    juce::Random random (42);
    EarshotProcessor processor;
    const auto before = stateOf (processor);
    for (int round = 0; round < 500; ++round)
    {
        juce::MemoryBlock noise (static_cast<size_t> (random.nextInt (300)));
        random.fillBitsRandomly (noise.getData(), noise.getSize());
        if (round % 3 == 0 && noise.getSize() >= 4)
            std::memcpy (noise.getData(), "ESHT", 4); // get past the magic sometimes
        processor.setStateInformation (noise.getData(), static_cast<int> (noise.getSize()));
        REQUIRE (processor.getLastStateError().isNotEmpty());
    }
    CHECK (stateOf (processor) == before);
}

TEST_CASE ("A well-formed envelope around a tree that is not Earshot's is rejected", "[plugin][state][badinput]")
{
    const auto blob = PluginState::write (juce::ValueTree ("SomethingElse"));
    juce::String error;
    CHECK_FALSE (PluginState::read (blob.getData(), blob.getSize(), error).has_value());
    CHECK (error == "state payload is not an EarshotState tree");
}
