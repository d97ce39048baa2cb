#include "EarshotEditor.h"

#include "Parameters.h"

namespace earshot
{
namespace
{
juce::String describe (const EngineEvent& event)
{
    const auto at = " at " + juce::String (event.streamSeconds, 1) + " s";
    switch (event.kind)
    {
        case EngineEvent::Kind::streamPrepared:
            return "Stream started: " + juce::String (event.value / 1000.0, 1) + " kHz";
        case EngineEvent::Kind::blocksDropped:
            return "Analysis fell behind: dropped " + juce::String (static_cast<int64_t> (event.value)) + " blocks" +
                   at;
        case EngineEvent::Kind::invalidSamples:
            return "NaN/Inf samples in the input" + at;
        case EngineEvent::Kind::clipping:
            return "Channel " + juce::String (event.channel + 1) + " clipped" + at;
        case EngineEvent::Kind::silenceStarted:
            return "Silence" + at;
        case EngineEvent::Kind::silenceEnded:
            return "Sound again after " + juce::String (event.value, 1) + " s of silence" + at;
        case EngineEvent::Kind::segmentBoundary:
            return "New section" + at;
    }
    return {};
}
} // namespace

EarshotEditor::EarshotEditor (EarshotProcessor& owner)
    : AudioProcessorEditor (owner)
    , earshot (owner)
    , trimAttachment (owner.getParameters(), parameters::inputTrimId, trim)
    , bypassAttachment (owner.getParameters(), parameters::bypassId, bypass)
{
    addAndMakeVisible (meter);
    addAndMakeVisible (health);
    addAndMakeVisible (features);
    addAndMakeVisible (lastEvent);
    addAndMakeVisible (recommendationsLabel);
    recommendationsLabel.setFont (juce::Font (12.0f));
    recommendationsLabel.setJustificationType (juce::Justification::topLeft);
    recommendationsLabel.setColour (juce::Label::textColourId, juce::Colours::white.withAlpha (0.8f));
    addAndMakeVisible (trim);
    addAndMakeVisible (trimLabel);
    addAndMakeVisible (bypass);

    lastEvent.setFont (juce::Font (12.0f));
    lastEvent.setColour (juce::Label::textColourId, juce::Colours::white.withAlpha (0.6f));
    trimLabel.setJustificationType (juce::Justification::centred);
    trim.setTextValueSuffix (" dB");

    // Read before the resize limits exist: setting them resizes (and so saves) the editor.
    const auto size = owner.getEditorSize();
    setResizable (true, true);
    setResizeLimits (minWidth, minHeight, maxWidth, maxHeight);
    setSize (size.getWidth(), size.getHeight());

    refresh();
    startTimerHz (refreshHz);
}

EarshotEditor::~EarshotEditor()
{
    stopTimer();
}

void EarshotEditor::refresh()
{
    const auto& snapshot = earshot.getEngine().readSnapshot();
    meter.setLevels (snapshot);
    health.setSnapshot (snapshot);
    features.setSnapshot (snapshot);
    recommendationsLabel.setText (FeatureReadout::describeRecommendations (snapshot.recommendations, 3),
                                  juce::dontSendNotification);

    EngineEvent event;
    bool any = false;
    while (earshot.getEngine().popEvent (event))
        any = true;
    if (any)
        lastEvent.setText (describe (event), juce::dontSendNotification);
}

void EarshotEditor::paint (juce::Graphics& g)
{
    g.fillAll (juce::Colour (0xff1d2126));
    g.setColour (juce::Colours::white);
    g.setFont (juce::Font (18.0f, juce::Font::bold));
    g.drawText ("Earshot", getLocalBounds().removeFromTop (36).reduced (12, 0), juce::Justification::centredLeft);
}

void EarshotEditor::resized()
{
    earshot.setEditorSize (getLocalBounds());

    auto area = getLocalBounds().reduced (12);
    area.removeFromTop (28);
    lastEvent.setBounds (area.removeFromBottom (20));
    health.setBounds (area.removeFromBottom (24));
    features.setBounds (area.removeFromBottom (24));
    recommendationsLabel.setBounds (area.removeFromBottom (56));

    auto controls = area.removeFromRight (120);
    trimLabel.setBounds (controls.removeFromTop (20));
    trim.setBounds (controls.removeFromTop (110));
    bypass.setBounds (controls.removeFromTop (30));

    meter.setBounds (area.reduced (0, 4));
}

} // namespace earshot
