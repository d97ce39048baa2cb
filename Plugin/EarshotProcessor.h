#pragma once

#include "Analysis/AnalysisEngine.h"
#include "Realtime/AudioTap.h"
#include "Recommend/TrackRecord.h"

#include <juce_audio_processors/juce_audio_processors.h>

namespace earshot
{
class LiveRecommendations;

/** The Earshot plugin: passes audio through (after the input trim), and feeds a
    copy of every block to the analysis engine through an AudioTap.

    processBlock() runs on the audio thread and never allocates, frees, locks,
    logs or waits. Everything else follows JUCE's AudioProcessor contract.
*/
class EarshotProcessor final : public juce::AudioProcessor
{
public:
    EarshotProcessor();
    ~EarshotProcessor() override;

    void prepareToPlay (double sampleRate, int maximumExpectedSamplesPerBlock) override;
    void releaseResources() override;
    bool isBusesLayoutSupported (const BusesLayout& layouts) const override;

    void processBlock (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override;
    void processBlockBypassed (juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override;
    using AudioProcessor::processBlock;
    using AudioProcessor::processBlockBypassed;

    juce::AudioProcessorEditor* createEditor() override;
    bool hasEditor() const override { return true; }

    const juce::String getName() const override { return "Earshot"; }
    bool acceptsMidi() const override { return false; }
    bool producesMidi() const override { return false; }
    bool isMidiEffect() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }

    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram (int) override {}
    const juce::String getProgramName (int) override { return {}; }
    void changeProgramName (int, const juce::String&) override {}

    /** Message thread (or whichever thread the host uses for state). */
    void getStateInformation (juce::MemoryBlock& destData) override;
    /** Invalid, truncated or foreign data is rejected and the current state kept;
        getLastStateError() then says why. */
    void setStateInformation (const void* data, int sizeInBytes) override;

    juce::AudioProcessorParameter* getBypassParameter() const override;

    /** The analysis engine; its reader side belongs to the message thread. */
    AnalysisEngine& getEngine() noexcept { return engine; }
    juce::AudioProcessorValueTreeState& getParameters() noexcept { return parameters; }

    /** A like, skip or play of a catalogued track, for the live recommendations.
        Any thread but the audio thread. */
    void recordFeedback (const FeedbackEvent& event);

    /** Why the last setStateInformation() was rejected, or empty. Message thread. */
    juce::String getLastStateError() const { return lastStateError; }

    /** Editor size remembered in the plugin's state. Message thread. */
    juce::Rectangle<int> getEditorSize() const;
    void setEditorSize (juce::Rectangle<int> size);

private:
    void tapBlock (const juce::AudioBuffer<float>& buffer) noexcept;
    TransportState readTransport() noexcept;

    juce::AudioProcessorValueTreeState parameters;
    std::atomic<float>* trimDb = nullptr;
    juce::AudioParameterBool* bypass = nullptr;
    juce::SmoothedValue<float> trimGain { 1.0f };

    juce::ValueTree settings;
    juce::String lastStateError;

    AudioTap tap;
    AnalysisEngine engine { tap };
    LiveRecommendations* recommendations = nullptr; // owned by the engine

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (EarshotProcessor)
};

} // namespace earshot
