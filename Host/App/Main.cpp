#include "App/MainComponent.h"

namespace earshot::host
{

/** The Earshot host: `earshot-host [PLUGIN] [--play FILE] [--screenshot PNG] [--quit-after SECONDS]`. */
class HostApplication final : public juce::JUCEApplication
{
public:
    const juce::String getApplicationName() override { return "Earshot Host"; }
    const juce::String getApplicationVersion() override { return EARSHOT_VERSION; }
    bool moreThanOneInstanceAllowed() override { return true; }

    void initialise (const juce::String& commandLine) override
    {
        const juce::ArgumentList args ("earshot-host", commandLine);
        if (args.containsOption ("--help|-h"))
        {
            std::cout << "usage: earshot-host [PLUGIN] [--play FILE] [--screenshot PNG] [--quit-after SECONDS]\n"
                         "Loads a VST3 or LV2 plugin, plays audio files through it and shows its editor.\n";
            quit();
            return;
        }

        auto content = std::make_unique<MainComponent>();
        auto* main = content.get();
        window = std::make_unique<Window> (std::move (content));

        for (const auto& arg : args.arguments)
        {
            if (! arg.isOption() && arg.text != args.getValueForOption ("--play") &&
                arg.text != args.getValueForOption ("--screenshot") &&
                arg.text != args.getValueForOption ("--quit-after"))
            {
                main->loadPlugin (arg.text);
                break;
            }
        }

        if (args.containsOption ("--play"))
            if (main->openFile (args.getExistingFileForOption ("--play")))
                main->play();

        const auto quitAfter = args.getValueForOption ("--quit-after").getDoubleValue();
        const auto screenshot = args.getValueForOption ("--screenshot");
        if (quitAfter > 0.0 || screenshot.isNotEmpty())
        {
            juce::Timer::callAfterDelay (
                juce::roundToInt (std::max (quitAfter, 1.0) * 1000.0),
                [this, screenshot]
                {
                    if (screenshot.isNotEmpty())
                        saveScreenshot (juce::File::getCurrentWorkingDirectory().getChildFile (screenshot));
                    quit();
                });
        }
    }

    void shutdown() override { window.reset(); }
    void systemRequestedQuit() override { quit(); }

private:
    class Window final : public juce::DocumentWindow
    {
    public:
        explicit Window (std::unique_ptr<MainComponent> content)
            : DocumentWindow ("Earshot Host", juce::Colour (0xff121417), DocumentWindow::allButtons)
        {
            setUsingNativeTitleBar (true);
            setContentOwned (content.release(), true);
            setResizable (true, false);
            centreWithSize (getWidth(), getHeight());
            setVisible (true);
        }

        void closeButtonPressed() override { JUCEApplication::getInstance()->systemRequestedQuit(); }
    };

    void saveScreenshot (const juce::File& file)
    {
        if (window == nullptr)
            return;
        const auto image =
            window->getContentComponent()->createComponentSnapshot (window->getContentComponent()->getLocalBounds());
        file.deleteFile();
        juce::FileOutputStream out (file);
        juce::PNGImageFormat png;
        if (! out.openedOk() || ! png.writeImageToStream (image, out))
            std::cerr << "earshot-host: cannot write screenshot to " << file.getFullPathName() << "\n";
    }

    std::unique_ptr<Window> window;
};

} // namespace earshot::host

START_JUCE_APPLICATION (earshot::host::HostApplication)
