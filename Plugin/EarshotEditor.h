#pragma once

#include "EarshotProcessor.h"
#include "Ui/FeatureReadout.h"
#include "Ui/LevelMeter.h"
#include "Ui/PipelineHealthView.h"

#include <juce_audio_processors/juce_audio_processors.h>

namespace earshot
{

/** The plugin's window: level meters, the pipeline's health, input trim and bypass.
    Polls the engine's snapshot and event queue at 30 Hz. Message thread only. */
class EarshotEditor final
    : public juce::AudioProcessorEditor
    , private juce::Timer
{
public:
    static constexpr int defaultWidth = 480, defaultHeight = 420;
    static constexpr int minWidth = 320, minHeight = 240, maxWidth = 1600, maxHeight = 1200;
    static constexpr int refreshHz = 30;

    explicit EarshotEditor (EarshotProcessor& owner);
    ~EarshotEditor() override;

    void paint (juce::Graphics& g) override;
    void resized() override;

    /** The pipeline line as shown, for tests. */
    juce::String getHealthText() const { return health.getText(); }
    /** The live features line as shown, for tests. */
    juce::String getFeaturesText() const { return features.getText(); }
    /** The recommendations as shown, for tests. */
    juce::String getRecommendationsText() const { return recommendationsLabel.getText(); }
    /** The last event line as shown, for tests. */
    juce::String getLastEventText() const { return lastEvent.getText(); }

    /** Runs one poll at once, as the timer would. */
    void refresh();

private:
    void timerCallback() override { refresh(); }

    EarshotProcessor& earshot;
    LevelMeter meter;
    PipelineHealthView health;
    FeatureReadout features;
    juce::Label lastEvent, recommendationsLabel;
    juce::Slider trim { juce::Slider::RotaryHorizontalVerticalDrag, juce::Slider::TextBoxBelow };
    juce::Label trimLabel { {}, "Input trim" };
    juce::ToggleButton bypass { "Bypass" };
    juce::AudioProcessorValueTreeState::SliderAttachment trimAttachment;
    juce::AudioProcessorValueTreeState::ButtonAttachment bypassAttachment;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (EarshotEditor)
};

} // namespace earshot
