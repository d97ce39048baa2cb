#include "App/MainComponent.h"
#include "Cli/ArgumentReader.h"

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
        const auto options = parse (juce::StringArray::fromTokens (commandLine, true));
        if (options.error.isNotEmpty() || options.help)
        {
            (options.help ? std::cout : std::cerr)
                << (options.error.isNotEmpty() ? "earshot-host: " + options.error + "\n" : juce::String())
                << "usage: earshot-host [PLUGIN] [--play FILE] [--screenshot PNG] [--quit-after SECONDS]\n"
                   "Loads a VST3 or LV2 plugin, plays audio files through it and shows its editor.\n";
            setApplicationReturnValue (options.help ? 0 : 2);
            quit();
            return;
        }

        auto content = std::make_unique<MainComponent>();
        auto* main = content.get();
        window = std::make_unique<Window> (std::move (content));

        if (options.plugin.isNotEmpty())
            main->loadPlugin (options.plugin);
        if (options.play.isNotEmpty() &&
            main->openFile (juce::File::getCurrentWorkingDirectory().getChildFile (options.play)))
            main->play();

        if (options.quitAfterSeconds > 0.0 || options.screenshot.isNotEmpty())
        {
            const auto screenshot = options.screenshot;
            juce::Timer::callAfterDelay (
                juce::roundToInt (std::max (options.quitAfterSeconds, 1.0) * 1000.0),
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
    struct Options
    {
        juce::String plugin, play, screenshot, error;
        double quitAfterSeconds = 0.0;
        bool help = false;
    };

    static Options parse (const juce::StringArray& args)
    {
        Options options;
        cli::ArgumentReader reader (args);
        while (reader.next())
        {
            const auto& arg = reader.current();
            if (arg == "--help" || arg == "-h")
                options.help = true;
            else if (arg == "--play")
                options.play = reader.value();
            else if (arg == "--screenshot")
                options.screenshot = reader.value();
            else if (arg == "--quit-after")
                options.quitAfterSeconds = reader.value().getDoubleValue();
            else if (arg.startsWith ("-"))
                reader.refuse ("unknown option " + arg);
            else if (options.plugin.isEmpty())
                options.plugin = arg;
            else
                reader.refuse ("more than one plugin given");
        }
        options.error = reader.error();
        return options;
    }

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
