#pragma once

#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>

namespace earshot::host
{

/** Finds and instantiates VST3 and LV2 plugins from a path. Message thread. */
class PluginLoader final
{
public:
    PluginLoader();

    /** Loads the first plugin in `path`: a .vst3 bundle, an LV2 bundle folder, or an LV2 URI.
        @returns the prepared-to-be instance, or nullptr with `error` saying why. */
    std::unique_ptr<juce::AudioPluginInstance> load (const juce::String& path, double sampleRate, int blockSize,
                                                     juce::String& error);

    /** The plugin descriptions `path` holds, across all formats. */
    juce::OwnedArray<juce::PluginDescription> describe (const juce::String& path);

    juce::AudioPluginFormatManager& getFormats() noexcept { return formats; }

private:
    juce::AudioPluginFormatManager formats;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PluginLoader)
};

} // namespace earshot::host
