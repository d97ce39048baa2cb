#include "Cli/CommandLine.h"

#include "Cli/AnalyzeCommand.h"
#include "Cli/CatalogCommand.h"
#include "Cli/RecommendCommand.h"

namespace earshot::cli
{

bool argumentsFromUtf8 (const std::vector<std::string>& raw, juce::StringArray& args, juce::String& error)
{
    args.clear();
    for (size_t i = 0; i < raw.size(); ++i)
    {
        const auto& arg = raw[i];
        if (! juce::CharPointer_UTF8::isValidString (arg.c_str(), static_cast<int> (arg.size())))
        {
            error = "argument " + juce::String (static_cast<int> (i) + 1) + " is not valid UTF-8";
            return false;
        }
        args.add (juce::String::fromUTF8 (arg.c_str(), static_cast<int> (arg.size())));
    }
    return true;
}

juce::String helpText()
{
    return "usage: earshot COMMAND [OPTIONS]\n"
           "\n"
           "Earshot analyses music: loudness, tempo, key, timbre, stereo image and structure.\n"
           "\n"
           "commands:\n"
           "  analyze FILE...            analyse audio files (see earshot analyze --help)\n"
           "  catalog add|list|stats|remove\n"
           "                             manage the catalog of your music (see earshot catalog --help)\n"
           "  recommend FILE             tracks from the catalog that sound like FILE\n"
           "  feedback like|skip|played TRACK\n"
           "                             tell Earshot what you liked, skipped or played\n"
           "\n"
           "options:\n"
           "  -h, --help                 show this help\n"
           "  --version                  show the version\n"
           "\n"
           "exit status: 0 success, 1 some files could not be analysed, 2 usage error\n";
}

int run (const juce::StringArray& args, std::ostream& out, std::ostream& err, std::ostream* progress)
{
    if (args.isEmpty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help")
    {
        (args.isEmpty() ? err : out) << helpText();
        return args.isEmpty() ? 2 : 0;
    }

    if (args[0] == "--version")
    {
        out << "earshot " << EARSHOT_VERSION << "\n";
        return 0;
    }

    const auto rest = juce::StringArray (args.strings.begin() + 1, args.size() - 1);
    if (args[0] == "analyze" || args[0] == "analyse")
    {
        if (rest.contains ("--help") || rest.contains ("-h"))
        {
            out << analyzeUsage();
            return 0;
        }
        return analyze (rest, out, err, progress);
    }

    auto wantsHelp = rest.contains ("--help") || rest.contains ("-h");
    if (args[0] == "catalog")
    {
        if (wantsHelp)
            return (out << catalogUsage(), 0);
        return catalogCommand (rest, out, err, progress);
    }
    if (args[0] == "recommend")
    {
        if (wantsHelp)
            return (out << recommendUsage(), 0);
        return recommendCommand (rest, out, err, progress);
    }
    if (args[0] == "feedback")
    {
        if (wantsHelp)
            return (out << feedbackUsage(), 0);
        return feedbackCommand (rest, out, err);
    }

    err << "earshot: unknown command '" << args[0] << "' (see earshot --help)\n";
    return 2;
}

} // namespace earshot::cli
