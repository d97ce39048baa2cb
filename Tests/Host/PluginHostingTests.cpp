#include "Core/PluginLoader.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace earshot;

namespace
{
void checkPassThrough (juce::AudioPluginInstance& plugin)
{
    plugin.setPlayConfigDetails (2, 2, 48000.0, 512);
    plugin.prepareToPlay (48000.0, 512);

    juce::MidiBuffer midi;
    juce::AudioBuffer<float> buffer (2, 512);
    for (int b = 0; b < 20; ++b)
    {
        test::fillSine (buffer, 48000.0, 997.0, 0.7f, b * 512);
        const auto original = buffer;
        plugin.processBlock (buffer, midi);
        for (int c = 0; c < 2; ++c)
            REQUIRE (std::memcmp (buffer.getReadPointer (c), original.getReadPointer (c), 512 * sizeof (float)) == 0);
    }
    plugin.releaseResources();
}
} // namespace

TEST_CASE ("The host loads the built Earshot VST3 and audio passes through it bit-exact", "[host][vst3]")
{
    host::PluginLoader loader;
    juce::String error;
    auto plugin = loader.load (EARSHOT_VST3_PATH, 48000.0, 512, error);
    INFO (error);
    REQUIRE (plugin != nullptr);
    CHECK (plugin->getName() == "Earshot");
    CHECK (plugin->getPluginDescription().pluginFormatName == "VST3");
    CHECK (plugin->getPluginDescription().manufacturerName == "Earshot Audio");
    checkPassThrough (*plugin);

    // Its state survives a round trip through the VST3 wrapper.
    juce::MemoryBlock state;
    plugin->getStateInformation (state);
    plugin->setStateInformation (state.getData(), static_cast<int> (state.getSize()));
    juce::MemoryBlock again;
    plugin->getStateInformation (again);
    CHECK (again == state);
}

TEST_CASE ("The host loads the built Earshot LV2 bundle by path", "[host][lv2]")
{
    host::PluginLoader loader;
    juce::String error;
    auto plugin = loader.load (EARSHOT_LV2_PATH, 48000.0, 512, error);
    INFO (error);
    REQUIRE (plugin != nullptr);
    CHECK (plugin->getPluginDescription().pluginFormatName == "LV2");
    CHECK (plugin->getPluginDescription().fileOrIdentifier == "https://earshot.audio/plugins/earshot");
    checkPassThrough (*plugin);
}

TEST_CASE ("The host says why a path holds no plugin", "[host][badinput]")
{
    host::PluginLoader loader;
    juce::String error;
    CHECK (loader.load ("/nonexistent/Thing.vst3", 48000.0, 512, error) == nullptr);
    CHECK (error == "no plugin at '/nonexistent/Thing.vst3'");

    const auto notAPlugin = juce::File::createTempFile (".vst3");
    notAPlugin.replaceWithText ("not a plugin");
    CHECK (loader.load (notAPlugin.getFullPathName(), 48000.0, 512, error) == nullptr);
    CHECK (error.isNotEmpty());
    notAPlugin.deleteFile();
}
