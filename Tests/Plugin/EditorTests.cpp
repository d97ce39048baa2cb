#include "EarshotEditor.h"
#include "Support/TestSignals.h"

#include <catch2/catch.hpp>

using namespace earshot;

TEST_CASE ("The editor shows the pipeline's health from the snapshot", "[plugin][editor][gui]")
{
    EarshotProcessor processor;
    processor.prepareToPlay (48000.0, 480);
    std::unique_ptr<juce::AudioProcessorEditor> editor (processor.createEditorIfNeeded());
    auto* earshotEditor = dynamic_cast<EarshotEditor*> (editor.get());
    REQUIRE (earshotEditor != nullptr);
    CHECK (editor->getWidth() == EarshotEditor::defaultWidth);

    juce::MidiBuffer midi;
    juce::AudioBuffer<float> buffer (2, 480);
    for (int b = 0; b < 50; ++b)
    {
        test::fillSine (buffer, 48000.0, 1000.0, 0.5f, b * 480);
        processor.processBlock (buffer, midi);
    }
    REQUIRE (processor.getEngine().waitUntilIdle());
    earshotEditor->refresh();

    CHECK (earshotEditor->getHealthText() == "48.0 kHz, 2 ch  |  analysed 50 blocks (0.5 s)  |  dropped 0");
    CHECK (earshotEditor->getLastEventText() == "Stream started: 48.0 kHz");

    // Resizing is remembered in the plugin's state.
    editor->setSize (500, 400);
    CHECK (processor.getEditorSize() == juce::Rectangle<int> (0, 0, 500, 400));

    const auto image = editor->createComponentSnapshot (editor->getLocalBounds());
    CHECK (image.getWidth() == 500);

    if (const auto dir = juce::SystemStats::getEnvironmentVariable ("EARSHOT_SCREENSHOT_DIR", {}); dir.isNotEmpty())
    {
        juce::FileOutputStream out (juce::File (dir).getChildFile ("plugin-editor.png"));
        out.setPosition (0);
        out.truncate();
        juce::PNGImageFormat().writeImageToStream (image, out);
    }
}
