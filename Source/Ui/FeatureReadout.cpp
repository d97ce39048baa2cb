#include "Ui/FeatureReadout.h"

#include <cmath>

namespace earshot
{
namespace
{
juce::String lufs (float value)
{
    return std::isfinite (value) ? juce::String (value, 1) : juce::String ("--");
}
} // namespace

FeatureReadout::FeatureReadout()
{
    setTitle ("Live features");
}

juce::String FeatureReadout::describe (const Snapshot& snapshot)
{
    if (snapshot.sampleRate <= 0.0)
        return {};

    const auto& summary = snapshot.summary;
    auto line = "M " + lufs (snapshot.frame.momentaryLufs) + "  S " + lufs (snapshot.frame.shortTermLufs) + "  I " +
                lufs (summary.integratedLufs) + " LUFS";
    if (summary.tempoBpm > 0.0f)
        line << "  |  " << juce::String (summary.tempoBpm, 1) << " BPM";
    const auto key = summary.keyName();
    if (! key.empty())
        line << "  |  " << juce::String (key);
    return line;
}

juce::String FeatureReadout::describeRecommendations (const RecommendationList& list, int maxLines)
{
    using Status = RecommendationList::Status;
    switch (list.status)
    {
        case Status::noCatalog:
        case Status::failed:
        case Status::loading:
        case Status::listening:
            return juce::String (list.message);
        case Status::ready:
            break;
    }

    if (list.count == 0)
        return "Nothing in the catalog sounds like this yet";
    juce::StringArray lines;
    for (int i = 0; i < std::min (list.count, maxLines); ++i)
    {
        const auto& entry = list.entries[static_cast<size_t> (i)];
        lines.add (juce::String (i + 1) + ". " + juce::String (entry.title) + "  (" + juce::String (entry.explanation) +
                   ")");
    }
    return lines.joinIntoString ("\n");
}

void FeatureReadout::setSnapshot (const Snapshot& snapshot)
{
    auto newText = describe (snapshot);
    if (newText != text)
    {
        text = std::move (newText);
        setDescription (text);
        repaint();
    }
}

void FeatureReadout::paint (juce::Graphics& g)
{
    g.setColour (juce::Colours::white);
    g.setFont (14.0f);
    g.drawFittedText (text, getLocalBounds().reduced (4, 0), juce::Justification::centredLeft, 1);
}

} // namespace earshot
