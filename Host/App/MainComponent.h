#pragma once

#include "Core/PlaybackEngine.h"
#include "Core/PluginLoader.h"

#include <juce_audio_utils/juce_audio_utils.h>
#include <juce_gui_basics/juce_gui_basics.h>

namespace earshot::host
{

/** The host window's content: a toolbar (audio device, plugin, file, transport),
    a status line, and the loaded plugin's editor below. Message thread only. */
class MainComponent final
    : public juce::Component
    , private juce::Timer
{
public:
    MainComponent();
    ~MainComponent() override;

    /** Loads a plugin; @returns false and shows why in the status line on failure. */
    bool loadPlugin (const juce::String& path);
    bool openFile (const juce::File& file);
    void play();

    juce::String getStatus() const { return status.getText(); }
    /** The live recommendations line, as shown. */
    juce::String getRecommendations() const { return recommendations.getText(); }

    void paint (juce::Graphics& g) override;
    void resized() override;

private:
    void timerCallback() override;
    void setStatus (const juce::String& text, bool isError);
    void showDevice();
    void showAudioSettings();
    void choosePlugin();
    void chooseFile();
    void showEditor();

    juce::AudioDeviceManager devices;
    PluginLoader loader;
    PlaybackEngine playback;

    juce::TextButton audioButton { "Audio..." }, pluginButton { "Load plugin..." }, fileButton { "Open file..." },
        playButton { "Play" }, stopButton { "Stop" };
    juce::Label status, deviceStatus, recommendations;
    juce::String deviceError;
    std::unique_ptr<juce::AudioProcessorEditor> editor;
    std::unique_ptr<juce::FileChooser> chooser;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (MainComponent)
};

} // namespace earshot::host
