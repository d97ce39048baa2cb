#pragma once

#include "Analysis/AnalysisEngine.h"
#include "Realtime/AudioTap.h"

#include <juce_audio_devices/juce_audio_devices.h>
#include <juce_audio_formats/juce_audio_formats.h>
#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>

namespace earshot::host
{

/** The host's audio callback: plays a file (or passes the device input through
    when no file is loaded) through the loaded plugin to the device output.

    The device calls audioDeviceIOCallbackWithContext() on its audio thread; that
    callback takes no lock it could wait on: it try-locks the plugin slot and plays
    silence through when the message thread is swapping the plugin. Everything
    else runs on the message thread.
*/
class PlaybackEngine final : public juce::AudioIODeviceCallback
{
public:
    PlaybackEngine();
    ~PlaybackEngine() override;

    /** Puts `plugin` in the chain (nullptr removes it); the previous one is returned. */
    std::unique_ptr<juce::AudioPluginInstance> setPlugin (std::unique_ptr<juce::AudioPluginInstance> plugin);
    juce::AudioPluginInstance* getPlugin() const noexcept { return plugin.get(); }

    /** The host's own analysis of what plays (the output, after the plugin): levels,
        features and live recommendations from the catalog, as the plugin runs them,
        whatever plugin is loaded (or none). Its snapshot belongs to the message thread. */
    AnalysisEngine& getAnalysis() noexcept { return analysis; }

    /** Opens an audio file to play; @returns false with `error` when it cannot be read. */
    bool openFile (const juce::File& file, juce::String& error);
    void play();
    void stop();
    bool isPlaying() const { return transport.isPlaying(); }
    double getPositionSeconds() const { return transport.getCurrentPosition(); }
    double getLengthSeconds() const { return transport.getLengthInSeconds(); }

    void audioDeviceIOCallbackWithContext (const float* const* inputs, int numInputs, float* const* outputs,
                                           int numOutputs, int numSamples,
                                           const juce::AudioIODeviceCallbackContext& context) override;
    void audioDeviceAboutToStart (juce::AudioIODevice* device) override;
    void audioDeviceStopped() override;

private:
    void preparePlugin();

    juce::AudioFormatManager formats;
    juce::AudioTransportSource transport;
    std::unique_ptr<juce::AudioFormatReaderSource> fileSource;
    juce::TimeSliceThread readAhead { "Earshot file read-ahead" };

    juce::SpinLock pluginLock;
    std::unique_ptr<juce::AudioPluginInstance> plugin;
    juce::AudioBuffer<float> scratch;
    AudioTap tap;
    AnalysisEngine analysis { tap };
    juce::MidiBuffer midi;
    double sampleRate = 0.0;
    int blockSize = 0;
    bool deviceRunning = false;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PlaybackEngine)
};

} // namespace earshot::host
