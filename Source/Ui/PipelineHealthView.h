#pragma once

#include "Analysis/Snapshot.h"

#include <juce_gui_basics/juce_gui_basics.h>

namespace earshot
{

/** One line about the pipeline: format, blocks analysed and dropped, bad input.
    Turns amber while blocks are being dropped. Message thread only. */
class PipelineHealthView final : public juce::Component
{
public:
    PipelineHealthView();

    void setSnapshot (const Snapshot& snapshot);

    /** The text shown, for tests and screen readers. */
    juce::String getText() const { return text; }

    void paint (juce::Graphics& g) override;

    /** The line describing `snapshot`. */
    static juce::String describe (const Snapshot& snapshot);

private:
    juce::String text;
    uint64_t lastDropped = 0;
    bool dropping = false;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (PipelineHealthView)
};

} // namespace earshot
