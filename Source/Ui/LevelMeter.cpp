#include "Ui/LevelMeter.h"

#include <algorithm>

namespace earshot
{

LevelMeter::LevelMeter()
{
    setOpaque (true);
}

void LevelMeter::setLevels (const Snapshot& snapshot)
{
    const auto channels = std::clamp (snapshot.numChannels, 0, Snapshot::maxChannels);
    bool changed = channels != numChannels;
    for (int c = 0; c < channels && ! changed; ++c)
        changed = levels[static_cast<size_t> (c)].rmsDb != snapshot.levels[static_cast<size_t> (c)].rmsDb ||
                  levels[static_cast<size_t> (c)].peakDb != snapshot.levels[static_cast<size_t> (c)].peakDb;

    numChannels = channels;
    levels = snapshot.levels;
    if (changed)
        repaint();
}

float LevelMeter::dbToY (float db, juce::Rectangle<float> area) const noexcept
{
    const auto clamped = std::clamp (db, floorDb, 0.0f);
    return juce::jmap (clamped, floorDb, 0.0f, area.getBottom(), area.getY());
}

void LevelMeter::paint (juce::Graphics& g)
{
    g.fillAll (juce::Colour (0xff15181c));

    auto area = getLocalBounds().toFloat().reduced (4.0f);
    auto scale = area.removeFromLeft (28.0f);

    g.setFont (10.0f);
    for (float db = 0.0f; db >= floorDb; db -= 12.0f)
    {
        const auto y = dbToY (db, area);
        g.setColour (juce::Colours::white.withAlpha (0.12f));
        g.drawHorizontalLine (juce::roundToInt (y), area.getX(), area.getRight());
        g.setColour (juce::Colours::white.withAlpha (0.6f));
        g.drawText (juce::String (juce::roundToInt (db)), scale.withY (y - 6.0f).withHeight (12.0f),
                    juce::Justification::centredRight);
    }

    if (numChannels == 0)
        return;

    const auto gap = 4.0f;
    const auto barWidth =
        (area.getWidth() - gap * static_cast<float> (numChannels + 1)) / static_cast<float> (numChannels);
    for (int c = 0; c < numChannels; ++c)
    {
        const auto& level = levels[static_cast<size_t> (c)];
        const auto x = area.getX() + gap + static_cast<float> (c) * (barWidth + gap);
        const juce::Rectangle<float> column (x, area.getY(), barWidth, area.getHeight());

        g.setColour (juce::Colour (0xff23282e));
        g.fillRect (column);

        const auto top = dbToY (level.rmsDb, column);
        const auto hot = level.rmsDb > -6.0f;
        g.setColour (hot ? juce::Colour (0xffe0a030) : juce::Colour (0xff3fbf7f));
        g.fillRect (column.withTop (top));

        if (level.peakDb > floorDb)
        {
            g.setColour (level.peakDb >= 0.0f ? juce::Colours::red : juce::Colours::white);
            g.fillRect (column.withY (dbToY (level.peakDb, column) - 1.0f).withHeight (2.0f));
        }
    }
}

} // namespace earshot
