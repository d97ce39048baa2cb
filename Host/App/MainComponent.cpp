#include "App/MainComponent.h"

#include "Ui/FeatureReadout.h"

namespace earshot::host
{
namespace
{
constexpr int toolbarHeight = 40;
constexpr int statusHeight = 24;
constexpr int recommendationsHeight = 96;
} // namespace

MainComponent::MainComponent()
{
    for (auto* button : { &audioButton, &pluginButton, &fileButton, &playButton, &stopButton })
        addAndMakeVisible (button);
    addAndMakeVisible (status);
    addAndMakeVisible (deviceStatus);
    deviceStatus.setJustificationType (juce::Justification::centredRight);
    addAndMakeVisible (recommendations);
    recommendations.setJustificationType (juce::Justification::topLeft);
    recommendations.setColour (juce::Label::textColourId, juce::Colour (0xffb8c4d0));

    audioButton.onClick = [this] { showAudioSettings(); };
    pluginButton.onClick = [this] { choosePlugin(); };
    fileButton.onClick = [this] { chooseFile(); };
    playButton.onClick = [this] { play(); };
    stopButton.onClick = [this] { playback.stop(); };

    deviceError = devices.initialiseWithDefaultDevices (2, 2);
    devices.addAudioCallback (&playback);
    showDevice();
    setStatus ("Load a VST3 or LV2 plugin, then open an audio file", false);

    setSize (640, toolbarHeight + statusHeight + recommendationsHeight + 320);
    startTimerHz (4);
}

MainComponent::~MainComponent()
{
    editor.reset();
    devices.removeAudioCallback (&playback);
    playback.setPlugin (nullptr);
}

void MainComponent::showDevice()
{
    auto* device = devices.getCurrentAudioDevice();
    const auto text = device != nullptr
                          ? device->getName() + ", " + juce::String (device->getCurrentSampleRate() / 1000.0, 1) +
                                " kHz, " + juce::String (device->getCurrentBufferSizeSamples()) + " samples"
                          : "No audio device" + (deviceError.isNotEmpty() ? " (" + deviceError + ")" : juce::String());
    deviceStatus.setText (text, juce::dontSendNotification);
    deviceStatus.setColour (juce::Label::textColourId,
                            device != nullptr ? juce::Colours::white.withAlpha (0.7f) : juce::Colour (0xffff7060));
}

void MainComponent::setStatus (const juce::String& text, bool isError)
{
    status.setText (text, juce::dontSendNotification);
    status.setColour (juce::Label::textColourId, isError ? juce::Colour (0xffff7060) : juce::Colours::white);
}

bool MainComponent::loadPlugin (const juce::String& path)
{
    auto* device = devices.getCurrentAudioDevice();
    const auto rate = device != nullptr ? device->getCurrentSampleRate() : 48000.0;
    const auto block = device != nullptr ? device->getCurrentBufferSizeSamples() : 512;

    juce::String error;
    auto instance = loader.load (path, rate, block, error);
    if (instance == nullptr)
    {
        setStatus ("Could not load plugin: " + error, true);
        return false;
    }

    editor.reset();
    const auto name = instance->getName();
    playback.setPlugin (std::move (instance));
    showEditor();
    setStatus ("Loaded " + name, false);
    return true;
}

void MainComponent::showEditor()
{
    auto* plugin = playback.getPlugin();
    if (plugin == nullptr)
        return;

    editor.reset (plugin->createEditorIfNeeded());
    if (editor == nullptr)
        editor = std::make_unique<juce::GenericAudioProcessorEditor> (*plugin);

    addAndMakeVisible (*editor);
    setSize (std::max (640, editor->getWidth()),
             toolbarHeight + statusHeight + editor->getHeight() + recommendationsHeight);
    resized();
}

bool MainComponent::openFile (const juce::File& file)
{
    juce::String error;
    if (! playback.openFile (file, error))
    {
        setStatus (error, true);
        return false;
    }
    setStatus ("Opened " + file.getFileName(), false);
    return true;
}

void MainComponent::play()
{
    playback.play();
}

void MainComponent::showAudioSettings()
{
    auto selector =
        std::make_unique<juce::AudioDeviceSelectorComponent> (devices, 0, 2, 0, 2, false, false, true, false);
    selector->setSize (500, 400);

    juce::DialogWindow::LaunchOptions options;
    options.content.setOwned (selector.release());
    options.dialogTitle = "Audio device";
    options.dialogBackgroundColour = juce::Colour (0xff1d2126);
    options.resizable = true;
    options.launchAsync();
}

void MainComponent::choosePlugin()
{
    chooser = std::make_unique<juce::FileChooser> ("Load a VST3 or LV2 plugin", juce::File(), "*.vst3;*.lv2");
    chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles |
                              juce::FileBrowserComponent::canSelectDirectories,
                          [this] (const juce::FileChooser& fc)
                          {
                              if (fc.getResult() != juce::File())
                                  loadPlugin (fc.getResult().getFullPathName());
                          });
}

void MainComponent::chooseFile()
{
    chooser = std::make_unique<juce::FileChooser> ("Open an audio file", juce::File(),
                                                   "*.wav;*.aif;*.aiff;*.flac;*.ogg;*.mp3");
    chooser->launchAsync (juce::FileBrowserComponent::openMode | juce::FileBrowserComponent::canSelectFiles,
                          [this] (const juce::FileChooser& fc)
                          {
                              if (fc.getResult() != juce::File())
                                  openFile (fc.getResult());
                          });
}

void MainComponent::timerCallback()
{
    showDevice();
    playButton.setEnabled (! playback.isPlaying());
    stopButton.setEnabled (playback.isPlaying());
    // The host's own analysis of what plays, whatever plugin is loaded.
    auto& analysis = playback.getAnalysis();
    const auto text =
        "Sounds like (from your catalog):\n" +
        (analysis.isRunning() ? FeatureReadout::describeRecommendations (analysis.readSnapshot().recommendations, 4)
                              : juce::String ("(starts when an audio device plays)"));
    if (text != recommendations.getText())
        recommendations.setText (text, juce::dontSendNotification);
}

void MainComponent::paint (juce::Graphics& g)
{
    g.fillAll (juce::Colour (0xff121417));
}

void MainComponent::resized()
{
    auto area = getLocalBounds();
    auto toolbar = area.removeFromTop (toolbarHeight).reduced (6);
    for (auto* button : { &audioButton, &pluginButton, &fileButton, &playButton, &stopButton })
    {
        button->setBounds (toolbar.removeFromLeft (button->getBestWidthForHeight (toolbar.getHeight()) + 16));
        toolbar.removeFromLeft (6);
    }
    auto statusRow = area.removeFromTop (statusHeight).reduced (6, 0);
    deviceStatus.setBounds (statusRow.removeFromRight (statusRow.getWidth() / 2));
    status.setBounds (statusRow);
    recommendations.setBounds (area.removeFromBottom (recommendationsHeight).reduced (6, 4));
    if (editor != nullptr)
        editor->setBounds (area.withSizeKeepingCentre (editor->getWidth(), editor->getHeight()));
}

} // namespace earshot::host
