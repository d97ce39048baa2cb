#include "Ui/PipelineHealthView.h"

namespace earshot
{

PipelineHealthView::PipelineHealthView()
{
    setTitle ("Pipeline health");
}

juce::String PipelineHealthView::describe (const Snapshot& snapshot)
{
    if (snapshot.sampleRate <= 0.0)
        return "Waiting for audio";

    const auto& health = snapshot.health;
    auto line = juce::String (snapshot.sampleRate / 1000.0, 1) + " kHz, " + juce::String (snapshot.numChannels) +
                " ch  |  analysed " + juce::String (health.blocksAnalysed) + " blocks (" +
                juce::String (snapshot.streamSeconds, 1) + " s)  |  dropped " + juce::String (health.blocksDropped);
    if (health.blocksWithInvalidSamples > 0)
        line << "  |  NaN/Inf blocks " << juce::String (health.blocksWithInvalidSamples);
    return line;
}

void PipelineHealthView::setSnapshot (const Snapshot& snapshot)
{
    auto newText = describe (snapshot);
    const auto nowDropping = snapshot.health.blocksDropped > lastDropped;
    lastDropped = snapshot.health.blocksDropped;

    if (newText != text || nowDropping != dropping)
    {
        text = std::move (newText);
        dropping = nowDropping;
        setDescription (text);
        repaint();
    }
}

void PipelineHealthView::paint (juce::Graphics& g)
{
    g.setColour (dropping ? juce::Colour (0xffe0a030) : juce::Colours::white.withAlpha (0.8f));
    g.setFont (13.0f);
    g.drawFittedText (text, getLocalBounds().reduced (4, 0), juce::Justification::centredLeft, 1);
}

} // namespace earshot
