#include "Core/PluginLoader.h"

namespace earshot::host
{
namespace
{
/** The URI of the first plugin an LV2 bundle's manifest declares, or empty. */
juce::String lv2PluginUri (const juce::File& bundle)
{
    const auto manifest = bundle.getChildFile ("manifest.ttl").loadFileAsString();
    for (int start = manifest.indexOfChar ('<'); start >= 0; start = manifest.indexOfChar (start + 1, '<'))
    {
        const auto end = manifest.indexOfChar (start, '>');
        if (end < 0)
            break;
        const auto after = manifest.substring (end + 1).trimStart();
        if (after.startsWith ("a lv2:Plugin"))
            return manifest.substring (start + 1, end);
    }
    return {};
}
} // namespace

PluginLoader::PluginLoader()
{
    formats.addDefaultFormats();
}

juce::OwnedArray<juce::PluginDescription> PluginLoader::describe (const juce::String& path)
{
    juce::OwnedArray<juce::PluginDescription> found;

    // LV2 plugins are known by URI; a bundle folder is loaded into the LV2 world first.
    const juce::File bundle (juce::File::isAbsolutePath (path) ? path : juce::String());
    if (bundle.isDirectory() && bundle.getChildFile ("manifest.ttl").existsAsFile())
    {
        const auto uri = lv2PluginUri (bundle);
        for (auto* format : formats.getFormats())
        {
            if (format->getName() == "LV2" && uri.isNotEmpty())
            {
                format->searchPathsForPlugins (juce::FileSearchPath (bundle.getParentDirectory().getFullPathName()),
                                               false, false);
                format->findAllTypesForFile (found, uri);
            }
        }
        return found;
    }

    for (auto* format : formats.getFormats())
        if (format->fileMightContainThisPluginType (path))
            format->findAllTypesForFile (found, path);
    return found;
}

std::unique_ptr<juce::AudioPluginInstance> PluginLoader::load (const juce::String& path, double sampleRate,
                                                               int blockSize, juce::String& error)
{
    const auto file = juce::File::isAbsolutePath (path) ? juce::File (path)
                                                        : juce::File::getCurrentWorkingDirectory().getChildFile (path);
    const auto target = file.exists() ? file.getFullPathName() : path;

    if (! file.exists() && ! path.contains ("://"))
    {
        error = "no plugin at '" + path + "'";
        return nullptr;
    }

    const auto descriptions = describe (target);
    if (descriptions.isEmpty())
    {
        error = "'" + path + "' holds no VST3 or LV2 plugin this host can load";
        return nullptr;
    }

    auto instance = formats.createPluginInstance (*descriptions.getFirst(), sampleRate, blockSize, error);
    if (instance == nullptr && error.isEmpty())
        error = "'" + path + "' could not be instantiated";
    return instance;
}

} // namespace earshot::host
