#include "Cli/CommandLine.h"

#include "Cli/AnalyzeCommand.h"

namespace earshot::cli
{

juce::String helpText()
{
    return "usage: earshot COMMAND [OPTIONS]\n"
           "\n"
           "Earshot analyses music: levels and the real-time pipeline's health, from audio files.\n"
           "\n"
           "commands:\n"
           "  analyze FILE... [--json]   analyse audio files (WAV, AIFF, FLAC, Ogg Vorbis, MP3)\n"
           "\n"
           "options:\n"
           "  -h, --help                 show this help\n"
           "  --version                  show the version\n"
           "\n"
           "exit status: 0 success, 1 some files could not be analysed, 2 usage error\n";
}

int run (const juce::StringArray& args, std::ostream& out, std::ostream& err)
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
            out << helpText();
            return 0;
        }
        return analyze (rest, out, err);
    }

    err << "earshot: unknown command '" << args[0] << "' (see earshot --help)\n";
    return 2;
}

} // namespace earshot::cli
