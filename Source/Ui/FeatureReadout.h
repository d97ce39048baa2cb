#pragma once

#include "Analysis/Snapshot.h"

#include <juce_gui_basics/juce_gui_basics.h>

namespace earshot
{

/** One line of live features: momentary / short-term / integrated loudness,
    tempo and key. Message thread only. */
class FeatureReadout final : public juce::Component
{
public:
    FeatureReadout();

    void setSnapshot (const Snapshot& snapshot);
    juce::String getText() const { return text; }

    /** The line describing `snapshot`. */
    static juce::String describe (const Snapshot& snapshot);

    /** The recommendations in `snapshot`: the first few, or what is missing. */
    static juce::String describeRecommendations (const RecommendationList& list, int maxLines);

    void paint (juce::Graphics& g) override;

private:
    juce::String text;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (FeatureReadout)
};

} // namespace earshot
