// What hosts do with a plugin's state (pluginval's state tests, and sessions in
// the wild): save and restore in any order, restore before prepareToPlay, and
// hand back blobs that are random, cut short, or written by another version.
// A restored state must be byte-identical when saved again; a bad one must be
// refused with a reason, leaving the plugin as it was and still working.

#include "Conformance/ConformanceHost.h"
#include "EarshotEditor.h"
#include "Parameters.h"
#include "PluginState.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstring>
#include <limits>

using namespace earshot;

namespace
{
juce::MemoryBlock stateOf (EarshotProcessor& processor)
{
    juce::MemoryBlock block;
    processor.getStateInformation (block);
    return block;
}

void restore (EarshotProcessor& processor, const juce::MemoryBlock& block)
{
    processor.setStateInformation (block.getData(), static_cast<int> (block.getSize()));
}

float plainValue (EarshotProcessor& processor, const char* id)
{
    return processor.getParameters().getRawParameterValue (id)->load();
}

void setPlainValue (EarshotProcessor& processor, const char* id, float value)
{
    auto* parameter = processor.getParameters().getParameter (id);
    parameter->setValueNotifyingHost (parameter->convertTo0to1 (value));
}

/** A Parameters tree as JUCE's AudioProcessorValueTreeState writes it: PARAM children with id and value. */
juce::ValueTree parametersTree (std::initializer_list<std::pair<const char*, juce::var>> values)
{
    juce::ValueTree parameters ("Parameters");
    for (const auto& [id, value] : values)
    {
        juce::ValueTree parameter ("PARAM");
        parameter.setProperty ("id", id, nullptr);
        parameter.setProperty ("value", value, nullptr);
        parameters.appendChild (parameter, nullptr);
    }
    return parameters;
}

juce::MemoryBlock envelopeAround (const juce::ValueTree& parameters, const juce::ValueTree& settings = {})
{
    juce::ValueTree state (PluginState::stateType);
    state.appendChild (parameters, nullptr);
    if (settings.isValid())
        state.appendChild (settings, nullptr);
    return PluginState::write (state);
}

/** An envelope with a correct header and checksum around any payload bytes. */
juce::MemoryBlock envelopeAroundBytes (const void* payload, size_t size)
{
    juce::MemoryOutputStream out;
    out.write ("ESHT", 4);
    out.writeInt (static_cast<int> (PluginState::currentVersion));
    out.writeInt (static_cast<int> (size));
    out.writeInt (static_cast<int> (crc32 (0, static_cast<const Bytef*> (payload), static_cast<uInt> (size))));
    out.write (payload, size);
    return out.getMemoryBlock();
}

/** Plays one block of a sine and says whether the plugin's output is `gain` times it, bit for bit. */
bool outputIsInputTimes (EarshotProcessor& processor, float gain)
{
    juce::AudioBuffer<float> block (2, 256);
    test::fillSine (block, 48000.0, 440.0, 0.25f);
    auto expected = block;
    if (gain != 1.0f)
        expected.applyGain (gain);
    juce::MidiBuffer midi;
    test::RealtimeViolations violations;
    test::processCounted (processor, block, midi, violations);
    return test::bitIdentical (block, expected) && violations.allocations == 0 && violations.locks == 0;
}

/** Saves `processor`, restores `block` and checks that it was refused with `error` and changed nothing. */
void checkRefused (EarshotProcessor& processor, const juce::MemoryBlock& block, const juce::String& error)
{
    const auto before = stateOf (processor);
    restore (processor, block);
    CHECK (processor.getLastStateError() == error);
    const auto unchanged = stateOf (processor) == before;
    CHECK (unchanged);
}
} // namespace

TEST_CASE ("State saved, restored and saved again is byte-identical, in the orders hosts use", "[conformance][state]")
{
    const auto seed = GENERATE (range (1, 21));
    juce::Random random (seed);
    CAPTURE (seed);

    EarshotProcessor source;
    // The range's ends on some seeds: they are where rounding would show.
    const auto trim = seed % 5 == 0   ? parameters::minTrimDb
                      : seed % 5 == 1 ? parameters::maxTrimDb
                                      : random.nextFloat() * 48.0f - 24.0f;
    setPlainValue (source, parameters::inputTrimId, trim);
    setPlainValue (source, parameters::bypassId, random.nextBool() ? 1.0f : 0.0f);
    source.setEditorSize (
        { 0, 0, EarshotEditor::minWidth + random.nextInt (EarshotEditor::maxWidth - EarshotEditor::minWidth),
          EarshotEditor::minHeight + random.nextInt (EarshotEditor::maxHeight - EarshotEditor::minHeight) });
    const auto saved = stateOf (source);
    CHECK (stateOf (source) == saved); // saving twice gives the same bytes

    SECTION ("into a new instance, before prepareToPlay")
    {
        EarshotProcessor restored;
        restore (restored, saved);
        CHECK (restored.getLastStateError().isEmpty());
        CHECK (stateOf (restored) == saved);
        CHECK (plainValue (restored, parameters::inputTrimId) == plainValue (source, parameters::inputTrimId));
        CHECK (restored.getEditorSize() == source.getEditorSize());
    }

    SECTION ("into an instance that is playing, with other settings")
    {
        EarshotProcessor restored;
        setPlainValue (restored, parameters::inputTrimId, -3.0f);
        restored.setEditorSize ({ 0, 0, 700, 500 });
        test::prepareAsHost (restored, 48000.0, 256);
        CHECK (outputIsInputTimes (restored, juce::Decibels::decibelsToGain (-3.0f)));

        restore (restored, saved);
        CHECK (restored.getLastStateError().isEmpty());
        CHECK (stateOf (restored) == saved);
    }

    SECTION ("after another state, and after a refused one")
    {
        EarshotProcessor other;
        setPlainValue (other, parameters::inputTrimId, 12.0f);
        EarshotProcessor restored;
        restore (restored, stateOf (other));
        restore (restored, saved);
        const juce::MemoryBlock junk ("not a state", 11);
        restore (restored, junk);
        CHECK (restored.getLastStateError().isNotEmpty());
        CHECK (stateOf (restored) == saved);
    }
}

TEST_CASE ("State restored before prepareToPlay is in effect from the first block, without a ramp",
           "[conformance][state]")
{
    EarshotProcessor source;
    setPlainValue (source, parameters::inputTrimId, 6.0f);
    const auto trimmed = stateOf (source);
    setPlainValue (source, parameters::bypassId, 1.0f);
    const auto bypassed = stateOf (source);

    EarshotProcessor processor;
    restore (processor, trimmed);
    REQUIRE (processor.getLastStateError().isEmpty());
    test::prepareAsHost (processor, 48000.0, 256);
    CHECK (outputIsInputTimes (processor,
                               juce::Decibels::decibelsToGain (plainValue (processor, parameters::inputTrimId))));

    EarshotProcessor bypassedProcessor;
    restore (bypassedProcessor, bypassed);
    test::prepareAsHost (bypassedProcessor, 48000.0, 256);
    CHECK (outputIsInputTimes (bypassedProcessor, 1.0f));
}

TEST_CASE ("Every truncation of a saved state, and a padded one, is refused with the reason", "[conformance][state]")
{
    EarshotProcessor reference;
    setPlainValue (reference, parameters::inputTrimId, 4.5f);
    const auto good = stateOf (reference);

    EarshotProcessor processor;
    setPlainValue (processor, parameters::inputTrimId, -9.0f);
    const auto payloadSize = good.getSize() - PluginState::headerSize;
    for (size_t length = 0; length < good.getSize(); ++length)
    {
        CAPTURE (length);
        const juce::MemoryBlock cut (good.getData(), length);
        if (length < PluginState::headerSize)
            checkRefused (processor, cut, "state is too short to be Earshot's (" + juce::String (length) + " bytes)");
        else
            checkRefused (processor, cut,
                          "state is truncated or padded (" + juce::String (length - PluginState::headerSize) +
                              " payload bytes, header says " + juce::String (payloadSize) + ")");
    }

    auto padded = good;
    padded.append ("\0\0\0", 3);
    checkRefused (processor, padded,
                  "state is truncated or padded (" + juce::String (payloadSize + 3) + " payload bytes, header says " +
                      juce::String (payloadSize) + ")");

    CHECK (plainValue (processor, parameters::inputTrimId) == Approx (-9.0f));
    test::prepareAsHost (processor, 48000.0, 256);
    CHECK (outputIsInputTimes (processor,
                               juce::Decibels::decibelsToGain (plainValue (processor, parameters::inputTrimId))));
}

TEST_CASE ("Random blobs, with or without a plausible header, are refused and the plugin keeps working",
           "[conformance][state][badinput]")
{
    EarshotProcessor processor;
    setPlainValue (processor, parameters::inputTrimId, 3.0f);
    const auto before = stateOf (processor);
    juce::Random random (2024);

    for (int round = 0; round < 2000; ++round)
    {
        juce::MemoryBlock blob (static_cast<size_t> (random.nextInt (2048)));
        random.fillBitsRandomly (blob.getData(), blob.getSize());
        auto* bytes = static_cast<uint8_t*> (blob.getData());
        const auto header = round % 4; // 0: random; 1: magic; 2: and version; 3: and the right size
        if (header >= 1 && blob.getSize() >= PluginState::headerSize)
            std::memcpy (bytes, "ESHT", 4);
        if (header >= 2 && blob.getSize() >= PluginState::headerSize)
            std::memcpy (bytes + 4, "\1\0\0\0", 4);
        if (header >= 3 && blob.getSize() >= PluginState::headerSize)
        {
            const auto payload = static_cast<uint32_t> (blob.getSize() - PluginState::headerSize);
            for (int b = 0; b < 4; ++b)
                bytes[8 + b] = static_cast<uint8_t> (payload >> (8 * b));
        }

        restore (processor, blob);
        REQUIRE (processor.getLastStateError().isNotEmpty());
    }
    CHECK (stateOf (processor) == before);
    test::prepareAsHost (processor, 48000.0, 256);
    CHECK (outputIsInputTimes (processor,
                               juce::Decibels::decibelsToGain (plainValue (processor, parameters::inputTrimId))));
}

TEST_CASE ("State from other versions: a newer or unknown envelope is refused, an older tree is read",
           "[conformance][state]")
{
    EarshotProcessor processor;

    SECTION ("envelope version 0 (never written) and a future version are refused")
    {
        auto blob = stateOf (processor);
        static_cast<uint8_t*> (blob.getData())[4] = 0;
        checkRefused (processor, blob, "state has format version 0; this Earshot reads up to 1");
        static_cast<uint8_t*> (blob.getData())[4] = 2;
        checkRefused (processor, blob, "state has format version 2; this Earshot reads up to 1");
    }

    SECTION ("a state from before the editor size was saved keeps the default size")
    {
        processor.setEditorSize ({ 0, 0, 900, 700 });
        restore (processor,
                 envelopeAround (parametersTree ({ { parameters::inputTrimId, 7.5 }, { parameters::bypassId, 0.0 } })));
        CHECK (processor.getLastStateError().isEmpty());
        CHECK (plainValue (processor, parameters::inputTrimId) == 7.5f);
        CHECK (processor.getEditorSize() ==
               juce::Rectangle<int> (0, 0, EarshotEditor::defaultWidth, EarshotEditor::defaultHeight));
    }

    SECTION ("a state from before bypass existed restores the trim and sets bypass to its default")
    {
        setPlainValue (processor, parameters::bypassId, 1.0f); // on in the session before the old preset loads
        restore (processor, envelopeAround (parametersTree ({ { parameters::inputTrimId, -4.0 } })));
        CHECK (processor.getLastStateError().isEmpty());
        CHECK (plainValue (processor, parameters::inputTrimId) == -4.0f);
        CHECK (plainValue (processor, parameters::bypassId) == 0.0f);

        // Saved again and restored elsewhere, it means the same, whatever that instance had.
        EarshotProcessor fresh, reloaded;
        restore (fresh, envelopeAround (parametersTree ({ { parameters::inputTrimId, -4.0 } })));
        restore (reloaded, stateOf (fresh));
        // APVTS saves a parameter that the old state lacked, and that kept its default, as
        // <PARAM id="bypass"/> with no value (ParameterAdapter::flushToTree writes only changed values).
        INFO ("a PARAM without a value is what this plugin itself saves after loading an older session, so "
              "setStateInformation must accept it: '"
              << reloaded.getLastStateError() << "'");
        CHECK (reloaded.getLastStateError().isEmpty());
        CHECK (plainValue (reloaded, parameters::inputTrimId) == -4.0f);

        EarshotProcessor elsewhere;
        setPlainValue (elsewhere, parameters::bypassId, 1.0f);
        setPlainValue (elsewhere, parameters::inputTrimId, 9.0f);
        restore (elsewhere, stateOf (processor));
        CHECK (elsewhere.getLastStateError().isEmpty());
        CHECK (plainValue (elsewhere, parameters::inputTrimId) == -4.0f);
        CHECK (plainValue (elsewhere, parameters::bypassId) == 0.0f);
    }

    SECTION ("a parameter this version does not know is ignored")
    {
        restore (processor,
                 envelopeAround (parametersTree (
                     { { parameters::inputTrimId, 2.0 }, { parameters::bypassId, 1.0 }, { "stereoWidth", 0.5 } })));
        CHECK (processor.getLastStateError().isEmpty());
        CHECK (plainValue (processor, parameters::inputTrimId) == 2.0f);
        CHECK (plainValue (processor, parameters::bypassId) == 1.0f);
    }

    SECTION ("a tree without parameters is refused")
    {
        checkRefused (processor, envelopeAround (juce::ValueTree ("Settings")), "state has no parameters");
    }
}

TEST_CASE ("Parameter values out of range in a saved state are clamped, and the audio stays finite",
           "[conformance][state][badinput]")
{
    struct Case
    {
        const char* name;
        double value;
        float expectedTrimDb;
    };
    const Case cases[] = {
        { "above the range", 1000.0, parameters::maxTrimDb },
        { "below the range", -1000.0, parameters::minTrimDb },
        { "+inf", std::numeric_limits<double>::infinity(), parameters::maxTrimDb },
        { "-inf", -std::numeric_limits<double>::infinity(), parameters::minTrimDb },
    };

    for (const auto& testCase : cases)
    {
        CAPTURE (testCase.name);
        EarshotProcessor processor;
        restore (processor, envelopeAround (parametersTree (
                                { { parameters::inputTrimId, testCase.value }, { parameters::bypassId, 0.0 } })));
        CHECK (plainValue (processor, parameters::inputTrimId) == testCase.expectedTrimDb);
        test::prepareAsHost (processor, 48000.0, 256);
        CHECK (outputIsInputTimes (processor, juce::Decibels::decibelsToGain (testCase.expectedTrimDb)));
    }
}

TEST_CASE ("A NaN parameter value in a saved state does not silence or poison the audio",
           "[conformance][state][badinput]")
{
    // A NaN trim (a CRC-correct state written by a buggy or hostile tool) reaches
    // the parameter unchecked: decibelsToGain (NaN) is 0, so Earshot would mute the
    // track it is inserted on. Either refusing the state or keeping a number is fine.
    EarshotProcessor processor;
    restore (processor,
             envelopeAround (parametersTree ({ { parameters::inputTrimId, std::numeric_limits<double>::quiet_NaN() },
                                               { parameters::bypassId, 0.0 } })));
    const auto trim = plainValue (processor, parameters::inputTrimId);
    INFO ("a NaN parameter value must not reach the parameter (Plugin/EarshotProcessor.cpp setStateInformation); "
          "trim reads "
          << trim << " dB, last error '" << processor.getLastStateError() << "'");
    CHECK_FALSE (std::isnan (trim));
    test::prepareAsHost (processor, 48000.0, 256);
    CHECK (outputIsInputTimes (processor, juce::Decibels::decibelsToGain (std::isnan (trim) ? 0.0f : trim)));
}

// JUCE's ValueTree::readFromData acts on the counts before anything can check them
// (a forged, checksum-correct blob cost ~2M allocations, or an abort); PluginState::read
// now checks the payload's structure against its size first (found by FuzzPluginState).
TEST_CASE ("A checksum-correct state whose counts promise more than it holds is refused, cheaply",
           "[conformance][state][badinput]")
{
    // JUCE's ValueTree::readFromStream trusts the counts in the data: with a count of
    // 2^31 - 1 a 60-byte state makes the host allocate gigabytes (array elements),
    // overflow an int (children: undefined behaviour, a crash under UBSan) or spin
    // for minutes (properties), and deep nesting overflows the stack. The CRC only
    // catches accidental damage. The counts below are small enough to run here.
    EarshotProcessor reference;
    const auto parameterTree = reference.getParameters().copyState();

    auto stateEndingWith = [&] (auto&& writeSettingsTail)
    {
        juce::MemoryOutputStream payload;
        payload.writeString (PluginState::stateType);
        payload.writeCompressedInt (0); // properties
        payload.writeCompressedInt (2); // children
        parameterTree.writeToStream (payload);
        payload.writeString ("Settings");
        writeSettingsTail (payload); // and the data ends: every count after this reads as 0
        return envelopeAroundBytes (payload.getData(), payload.getDataSize());
    };

    const auto arrayClaim = stateEndingWith (
        [] (juce::OutputStream& out)
        {
            out.writeCompressedInt (1); // one property
            out.writeString ("history");
            out.writeCompressedInt (1); // a var of (nominally) one byte
            out.writeByte (7);          // an array
            out.writeCompressedInt (100000);
        });
    const auto propertyClaim = stateEndingWith ([] (juce::OutputStream& out) { out.writeCompressedInt (1000000); });
    // Found by FuzzPluginState (corpus/FuzzPluginState/regression-children-count-near-2pow31.bin):
    // JUCE sizes the child array up front, and int arithmetic on the count overflows.
    const auto childClaim = stateEndingWith (
        [] (juce::OutputStream& out)
        {
            out.writeCompressedInt (0); // no properties
            out.writeCompressedInt (std::numeric_limits<int>::max());
        });

    for (const auto* blob : { &arrayClaim, &propertyClaim, &childClaim })
    {
        EarshotProcessor processor;
        setPlainValue (processor, parameters::inputTrimId, 5.0f);
        const auto before = stateOf (processor);

        uint64_t allocations = 0;
        {
            const test::ScopedAllocationGuard guard;
            restore (processor, *blob);
            allocations = guard.allocations();
        }

        CAPTURE (blob->getSize());
        CHECK (processor.getLastStateError().isNotEmpty());
        const auto unchanged = stateOf (processor) == before;
        CHECK (unchanged);

        // Refusing it must cost what reading its bytes costs, not what its counts
        // claim: checking after JUCE has parsed the payload is too late (the parse
        // itself allocates per claimed item, and overflows on the child count).
        INFO ("Plugin/PluginState.cpp read must check the payload's counts before ValueTree::readFromData acts "
              "on them; "
              << allocations << " allocations to refuse a " << blob->getSize() << "-byte state");
        CHECK (allocations < 10000);
    }
}
