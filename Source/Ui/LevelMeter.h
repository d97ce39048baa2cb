#pragma once

#include "Analysis/Snapshot.h"

#include <juce_gui_basics/juce_gui_basics.h>

namespace earshot
{

/** Vertical bar meters, one per channel: the RMS bar, the held peak line, and a
    dB scale from -60 to 0 dBFS. Message thread only; fed by setLevels(). */
class LevelMeter final : public juce::Component
{
public:
    static constexpr float floorDb = -60.0f;

    LevelMeter();

    /** Shows the levels of `snapshot`; repaints only when they changed. */
    void setLevels (const Snapshot& snapshot);

    void paint (juce::Graphics& g) override;

private:
    float dbToY (float db, juce::Rectangle<float> area) const noexcept;

    int numChannels = 0;
    std::array<ChannelLevels, Snapshot::maxChannels> levels {};

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR (LevelMeter)
};

} // namespace earshot
